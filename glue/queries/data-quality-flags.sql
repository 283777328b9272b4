-- name: data-quality-flags
-- description: Every beer whose cleaning raised a data-quality flag (a measurement outside its physical range, nulled), one row per flag.
select b.id, b.name, f.flag, b.abv, b.ibu, b.ph, b.target_fg, b.target_og, b.ebc, b.srm
from beers as b
cross join unnest(b.dq_flags) as f (flag)
order by b.id, f.flag
