-- Every release, newest first: what "What's new" offers to compare with.
SELECT release, released_on, note
FROM releases
ORDER BY release_number DESC
