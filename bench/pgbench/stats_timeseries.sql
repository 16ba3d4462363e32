-- GET /api/v1/stats/timeseries?unit=U&from=F&to=T&interval=month&metric=people_reached:
-- SQL_TIMESERIES of api/stats.c. $1 :actor_unit, $2 NULL, $3 :unit, $4 :from, $5 :to,
-- $6 :interval, $7 :metric, $8 NULL (the units of today).
SELECT s.from_on::text, s.to_on::text, s.periods, s.series::text  FROM stats_timeseries(:actor_unit, NULL::uuid, :unit, :from::date, :to::date, :interval, :metric, NULL::date) s;
