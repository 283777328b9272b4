-- name: training-set
-- description: The IBU model's training rows: every de-duplicated beer with a measured IBU, with its base features, hop bill and volume.
select id, name, ibu, abv, target_fg, target_og, ebc, srm, ph, volume_litres, hops
from beers
where ibu is not null
order by id
