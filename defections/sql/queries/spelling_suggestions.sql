-- The recorded people whose names come closest to a search that matched nothing ("did you mean"), by
-- Jaro-Winkler similarity of the folded spellings; none below 0.85.
WITH term AS (
    SELECT roman_key($search) AS k
),
keyed AS (
    SELECT person, unnest(search_keys) AS search_key FROM derived.events
    UNION ALL
    -- Each word of the name too: a misspelt surname alone ("Hwnag") is then nearest to every name that has
    -- it, not only to a name of that one word.
    SELECT person, roman_key(unnest(string_split_regex(person, '[\s()-]+'))) FROM derived.events
),
scored AS (
    SELECT person, max(jaro_winkler_similarity(search_key, term.k)) AS similarity
    FROM keyed, term GROUP BY person
),
final AS (
    SELECT person, similarity FROM scored WHERE similarity >= 0.85
)
SELECT person
FROM final
ORDER BY similarity DESC, person
LIMIT $limit
