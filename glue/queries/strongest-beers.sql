-- name: strongest-beers
-- description: The ten strongest beers by alcohol by volume, with their bitterness and first brew.
select id, name, abv, ibu, first_brewed
from beers
where abv is not null
order by abv desc, id
limit 10
