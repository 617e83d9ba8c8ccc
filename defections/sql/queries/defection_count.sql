-- How many defections the attached database holds: connect runs a small one on a single thread.
SELECT count(*) AS defections FROM seed.defections
