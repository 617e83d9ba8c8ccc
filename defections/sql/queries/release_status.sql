-- One row: the last release, the data's digest, whether the data is that release, and its label.
SELECT last_release, last_released_on, data_digest, is_release, label
FROM release_status
