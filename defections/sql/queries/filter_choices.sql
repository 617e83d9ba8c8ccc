-- The values every filter offers, with the notes its tooltip gives: one row per filter of
-- selected_events (the table macro filter_choices, sql/views.sql, beside the filters' clauses).
SELECT filter, choices, notes
FROM filter_choices()
