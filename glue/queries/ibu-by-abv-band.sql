-- name: ibu-by-abv-band
-- description: Beers, mean and median IBU per ABV band; the max IBU and its beer show the outliers that pull the mean away from the median.
-- The median is computed with window functions (no median() in Athena, no approx_percentile in DuckDB).
with banded as (
  select
    case
      when abv < 4 then 1
      when abv < 6 then 2
      when abv < 8 then 3
      when abv < 10 then 4
      when abv < 15 then 5
      else 6
    end as band,
    name,
    ibu
  from beers
  where abv is not null
),
ranked as (
  select
    band,
    name,
    ibu,
    row_number() over (partition by band order by ibu asc nulls last) as ibu_rank,
    count(ibu) over (partition by band) as ibu_count
  from banded
)
select
  case band
    when 1 then '0-4'
    when 2 then '4-6'
    when 3 then '6-8'
    when 4 then '8-10'
    when 5 then '10-15'
    else '15+'
  end as abv_band,
  count(*) as beers,
  count(ibu) as beers_with_ibu,
  round(avg(ibu), 1) as mean_ibu,
  round(avg(case when ibu_rank * 2 >= ibu_count and ibu_rank * 2 <= ibu_count + 2 then ibu end), 1) as median_ibu,
  min(ibu) as min_ibu,
  max(ibu) as max_ibu,
  max_by(name, ibu) as most_bitter
from ranked
group by band
order by band
