/**
 * A tiny Prometheus registry and text exposition (format 0.0.4). Small enough to own, and
 * it keeps the Lambda bundle free of a metrics client.
 */

type LabelValues = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: LabelValues, by?: number): void;
}

export interface Histogram {
  observe(value: number, labels?: LabelValues): void;
}

export interface MetricRegistry {
  counter(name: string, help: string): Counter;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /** The whole registry as Prometheus text. */
  render(): string;
}

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: LabelValues, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (extra) pairs.push([extra[0], extra[1]]);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/**
 * Series are keyed by their sorted label text; the hot path first tries the labels in the
 * order given (callers almost always pass the same order), which needs no sort.
 */
function seriesKeys() {
  const byGivenOrder = new Map<string, string>();
  return (labels: LabelValues): string => {
    let given = '';
    for (const k in labels) given += `${k}\u0000${labels[k]}\u0001`;
    let key = byGivenOrder.get(given);
    if (key === undefined) {
      key = labelText(labels);
      byGivenOrder.set(given, key);
    }
    return key;
  };
}

interface Family {
  render(): string[];
}

export function createMetricRegistry(): MetricRegistry {
  const families = new Map<string, Family>();

  const register = (name: string, family: Family) => {
    if (families.has(name)) throw new Error(`metric ${name} is registered twice`);
    families.set(name, family);
  };

  return {
    counter(name, help) {
      const keyOf = seriesKeys();
      const series = new Map<string, { labels: LabelValues; value: number }>();
      register(name, {
        render: () => [
          `# HELP ${name} ${help}`,
          `# TYPE ${name} counter`,
          ...[...series.values()].map((s) => `${name}${labelText(s.labels)} ${s.value}`),
        ],
      });
      return {
        inc(labels = {}, by = 1) {
          const key = keyOf(labels);
          const s = series.get(key);
          if (s) s.value += by;
          else series.set(key, { labels, value: by });
        },
      };
    },

    histogram(name, help, buckets) {
      const keyOf = seriesKeys();
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>();
      register(name, {
        render: () => [
          `# HELP ${name} ${help}`,
          `# TYPE ${name} histogram`,
          ...[...series.values()].flatMap((s) => {
            let cumulative = 0;
            return [
              ...bounds.map((le, i) => {
                cumulative += s.counts[i]!;
                return `${name}_bucket${labelText(s.labels, ['le', String(le)])} ${cumulative}`;
              }),
              `${name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`,
              `${name}_sum${labelText(s.labels)} ${s.sum}`,
              `${name}_count${labelText(s.labels)} ${s.count}`,
            ];
          }),
        ],
      });
      return {
        observe(value, labels = {}) {
          const key = keyOf(labels);
          let s = series.get(key);
          if (!s) {
            s = { labels, counts: bounds.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          const i = bounds.findIndex((le) => value <= le);
          if (i >= 0) s.counts[i]! += 1;
          s.sum += value;
          s.count += 1;
        },
      };
    },

    render() {
      return [...families.values()].flatMap((f) => f.render()).join('\n') + '\n';
    },
  };
}
