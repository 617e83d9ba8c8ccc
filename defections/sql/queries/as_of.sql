-- The data's "as of" date: the day it was last curated (the newest page read or correction made).
SELECT max(as_of_date) AS as_of
FROM build_info
