-- The years of defection the sidebar's slider spans (both NULL when there is no defection).
SELECT min(year(defection_date)) AS lo, max(year(defection_date)) AS hi
FROM seed.defections
