-- name: beers-per-first-brew-month
-- description: How many beers were first brewed in each month; a null month means only the year is known.
select first_brewed_year, first_brewed_month, count(*) as beers
from beers
where first_brewed_year is not null
group by first_brewed_year, first_brewed_month
order by first_brewed_year, first_brewed_month nulls first
