-- The curated tables, one per seed file, in schema `seed`. Loaded in this order (foreign keys).
-- A rule on one row is declared here, once, as a CHECK followed by its message, `-- column: message`
-- (values as {column}): validate.py runs every CHECK over the seed rows before a build and reports a row
-- it refuses as FILE:LINE: column: message; the database enforces them again. What a CHECK cannot say
-- (a date not in the future, a quote found in its held document) is validate.py's.
-- COMMENT ON statements feed the generated data dictionary.

CREATE SCHEMA seed;

CREATE TYPE elite_category AS ENUM
  ('diplomat', 'trade official', 'military', 'intelligence', 'party-state official', 'other');
CREATE TYPE date_precision AS ENUM ('day', 'month', 'year');
-- How far a defection is established, strongest first (docs/methodology.md, "Confirmation").
CREATE TYPE confirmation_status AS ENUM
  ('confirmed', 'self-disclosed', 'multiple-reports', 'single-report', 'denied');
-- Who gives a motive or a view: officials are told apart by their side (Pyongyang's accusation is
-- not Seoul's briefing).
-- Whether the person got out (docs/methodology.md, "Outcome"): only completed defections are counted.
CREATE TYPE outcome AS ENUM ('completed', 'failed', 'unknown');
CREATE TYPE attribution AS ENUM
  ('self', 'north-korean-officials', 'south-korean-officials', 'other-governments', 'unnamed-officials',
   'media', 'analysts');
-- Who gives a yearly elite figure: a government (the Unification Ministry, the NIS) or the press.
CREATE TYPE elite_count_basis AS ENUM ('official', 'media');
CREATE TYPE reliability AS ENUM ('primary', 'secondary', 'dataset', 'client');
-- Where a post lies, for the region filter (docs/methodology.md, "Regions"): by city where a country
-- spans regions (Vladivostok is East Asia, Moscow Europe); 'North Korea' for defectors who left from home.
CREATE TYPE region AS ENUM
  ('Europe', 'East Asia', 'Southeast Asia', 'South Asia', 'Middle East', 'Africa', 'Americas', 'North Korea');
CREATE TYPE context_event_type AS ENUM
  ('diplomatic ties', 'embassy opening', 'embassy closure', 'visit', 'statement', 'defection-related');

CREATE TABLE seed.sources (
    source_id      VARCHAR PRIMARY KEY,
    title          VARCHAR NOT NULL,
    publisher      VARCHAR NOT NULL,
    published_date DATE,
    url            VARCHAR UNIQUE CHECK (url IS NULL OR regexp_matches(url, '^https?://[^\s/?#]+\S*$')),
                   -- url: {url!r} is not an http(s) address (expected a lower-case http:// or https:// address)
    document       VARCHAR,
    reliability    reliability NOT NULL,
    CHECK (url IS NOT NULL OR document IS NOT NULL)  -- url: empty, and no document either (every source needs one)
);
COMMENT ON TABLE seed.sources IS 'Every source: a public page or a document held in seeds/documents/.';
COMMENT ON COLUMN seed.sources.source_id IS 'Stable id (S000 is the client''s seed document).';
COMMENT ON COLUMN seed.sources.title IS 'Descriptive label written by the curators (not necessarily the headline).';
COMMENT ON COLUMN seed.sources.publisher IS 'Outlet, agency or site that published the page.';
COMMENT ON COLUMN seed.sources.published_date IS 'Publication date when known from the page or its URL.';
COMMENT ON COLUMN seed.sources.url IS 'Public http(s) address, one source per address; empty only for a held document.';
COMMENT ON COLUMN seed.sources.document IS 'File name in seeds/documents/ holding the source text, against which quotes are checked.';
COMMENT ON COLUMN seed.sources.reliability IS 'primary (wire, official, own report), secondary (repost, aggregator), dataset, client.';

CREATE TABLE seed.posts (
    post_id       VARCHAR PRIMARY KEY,
    post_country  VARCHAR NOT NULL,
    post_city     VARCHAR,
    region        region,
    latitude      DOUBLE CHECK (latitude BETWEEN -90 AND 90),  -- latitude: {latitude} is out of range (expected -90 to 90)
    longitude     DOUBLE CHECK (longitude BETWEEN -180 AND 180),
                  -- longitude: {longitude} is out of range (expected -180 to 180)
    location_note VARCHAR,
    CHECK ((latitude IS NULL) = (longitude IS NULL))  -- longitude: give both latitude and longitude, or neither
);
COMMENT ON TABLE seed.posts IS 'Places where defectors were posted (or were when they left).';
COMMENT ON COLUMN seed.posts.post_id IS 'Stable id, e.g. P-CU-HAV.';
COMMENT ON COLUMN seed.posts.post_country IS 'Country of the post as it is named today.';
COMMENT ON COLUMN seed.posts.post_city IS 'City of the post; empty when no source names it.';
COMMENT ON COLUMN seed.posts.region IS 'Europe, East Asia, Southeast Asia, South Asia, Middle East, Africa, Americas or North Korea (left from home); by city where the country spans regions; empty when the sources do not say where.';
COMMENT ON COLUMN seed.posts.latitude IS 'Latitude of the city (or of the capital when the city is unknown), for the map.';
COMMENT ON COLUMN seed.posts.longitude IS 'Longitude, as latitude.';
COMMENT ON COLUMN seed.posts.location_note IS 'How the location was settled, and disputes.';

CREATE TABLE seed.people (
    person_id     VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    name_variants VARCHAR NOT NULL,
    notes         VARCHAR
);
COMMENT ON TABLE seed.people IS 'Defectors, with every romanization a search must find.';
COMMENT ON COLUMN seed.people.person_id IS 'Stable id.';
COMMENT ON COLUMN seed.people.name IS 'The form of the name the dashboard displays.';
COMMENT ON COLUMN seed.people.name_variants IS 'Semicolon-separated romanizations and scripts, the display name included.';
COMMENT ON COLUMN seed.people.notes IS 'Curators'' notes on the person.';

CREATE TABLE seed.defections (
    event_id            VARCHAR PRIMARY KEY,
    person_id           VARCHAR NOT NULL REFERENCES seed.people (person_id),
    position            VARCHAR NOT NULL,
    elite_category      elite_category NOT NULL,
    post_id             VARCHAR NOT NULL REFERENCES seed.posts (post_id),
    defection_date      DATE NOT NULL,
    defection_precision date_precision NOT NULL,
    disclosed_date      DATE,
    disclosed_precision date_precision,
    confirmation_status confirmation_status NOT NULL,
    confirmed_by        VARCHAR,
    confirmed_date      DATE,
    destination         VARCHAR,
    accompanied_by      VARCHAR,
    summary             VARCHAR NOT NULL,
    notes               VARCHAR,
    outcome             outcome NOT NULL,
    outcome_source_id   VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    CHECK ((disclosed_date IS NULL) = (disclosed_precision IS NULL)),
    -- disclosed_precision: must be given exactly when disclosed_date is (fill both or neither)
    CHECK (disclosed_date + CAST('1 ' || disclosed_precision AS INTERVAL) > defection_date),
    -- disclosed_date: is before the defection (expected on or after defection_date)
    CHECK (confirmed_date >= defection_date),
    -- confirmed_date: is before the defection (expected on or after defection_date)
    CHECK (confirmation_status <> 'confirmed' OR confirmed_by IS NOT NULL),
    -- confirmed_by: required when confirmation_status is confirmed (name the government body)
    CHECK (confirmation_status <> 'confirmed' OR confirmed_date IS NOT NULL),
    -- confirmed_date: required when confirmation_status is confirmed (the day the government confirmed it; without one, the status is what the reports support, not confirmed)
    CHECK (confirmation_status <> 'denied' OR outcome <> 'completed')
    -- outcome: is completed but the report was denied (expected unknown, or another confirmation_status if a source establishes the defection)
);
COMMENT ON TABLE seed.defections IS 'One row per defection.';
COMMENT ON COLUMN seed.defections.event_id IS 'Stable id (E01...).';
COMMENT ON COLUMN seed.defections.person_id IS 'The defector (people.person_id).';
COMMENT ON COLUMN seed.defections.position IS 'Position held when he or she defected.';
COMMENT ON COLUMN seed.defections.elite_category IS 'diplomat, trade official, military, intelligence, party-state official or other.';
COMMENT ON COLUMN seed.defections.post_id IS 'Where the defector was posted (posts.post_id).';
COMMENT ON COLUMN seed.defections.defection_date IS 'First day of the period in which the defection happened; read it with defection_precision.';
COMMENT ON COLUMN seed.defections.defection_precision IS 'day, month or year: how precisely the sources date the defection.';
COMMENT ON COLUMN seed.defections.disclosed_date IS 'When the defection became public (first day of the period; read with disclosed_precision).';
COMMENT ON COLUMN seed.defections.disclosed_precision IS 'Precision of disclosed_date.';
COMMENT ON COLUMN seed.defections.confirmation_status IS 'confirmed (by a government), self-disclosed (by the defector), multiple-reports (two or more independent outlets), single-report, or denied.';
COMMENT ON COLUMN seed.defections.confirmed_by IS 'Who confirmed it.';
COMMENT ON COLUMN seed.defections.confirmed_date IS 'When it was confirmed, when a source gives the day.';
COMMENT ON COLUMN seed.defections.destination IS 'Where the defector went.';
COMMENT ON COLUMN seed.defections.accompanied_by IS 'Who came along.';
COMMENT ON COLUMN seed.defections.summary IS 'A short summary in the curators'' words.';
COMMENT ON COLUMN seed.defections.notes IS 'Disputed points and the other values found.';
COMMENT ON COLUMN seed.defections.outcome IS 'completed (got out for good), failed (caught, sent back) or unknown (a disappearance or attempt whose result no source gives; every denied report). Only completed defections are counted.';
COMMENT ON COLUMN seed.defections.outcome_source_id IS 'The source (one of the defection''s own) that establishes the outcome.';

CREATE TABLE seed.defection_sources (
    event_id       VARCHAR NOT NULL REFERENCES seed.defections (event_id),
    source_id      VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    evidence_quote VARCHAR,
    quote_gloss    VARCHAR,
    PRIMARY KEY (event_id, source_id)
);
COMMENT ON TABLE seed.defection_sources IS 'Which sources support each defection.';
COMMENT ON COLUMN seed.defection_sources.event_id IS 'The defection.';
COMMENT ON COLUMN seed.defection_sources.source_id IS 'The source.';
COMMENT ON COLUMN seed.defection_sources.evidence_quote IS 'Verbatim words of the held document of the source (checked at build); at most about 40 words.';
COMMENT ON COLUMN seed.defection_sources.quote_gloss IS 'English gloss of the quote, in the curators'' words, when the quote is not in English.';

CREATE TABLE seed.motives (
    motive_code VARCHAR PRIMARY KEY,
    label       VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
COMMENT ON TABLE seed.motives IS 'The fixed taxonomy of reported motives.';
COMMENT ON COLUMN seed.motives.motive_code IS 'Stable code.';
COMMENT ON COLUMN seed.motives.label IS 'Label shown on the dashboard.';
COMMENT ON COLUMN seed.motives.description IS 'What the motive covers.';

CREATE TABLE seed.event_motives (
    event_id       VARCHAR NOT NULL REFERENCES seed.defections (event_id),
    motive_code    VARCHAR NOT NULL REFERENCES seed.motives (motive_code),
    attributed_to  attribution NOT NULL,
    attributed_by  VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    evidence_quote VARCHAR,
    quote_gloss    VARCHAR,
    PRIMARY KEY (event_id, motive_code, attributed_to, source_id),
    CHECK (evidence_quote IS NOT NULL)  -- evidence_quote: required: every motive attribution is quoted from a held document
);
COMMENT ON TABLE seed.event_motives IS 'A motive attributed to a defection, by whom, on which evidence.';
COMMENT ON COLUMN seed.event_motives.event_id IS 'The defection.';
COMMENT ON COLUMN seed.event_motives.motive_code IS 'The motive (motives.motive_code).';
COMMENT ON COLUMN seed.event_motives.attributed_to IS 'Who gives the motive: self (the defector), north-korean-officials, south-korean-officials, other-governments, unnamed-officials, media or analysts.';
COMMENT ON COLUMN seed.event_motives.attributed_by IS 'Who exactly, and where.';
COMMENT ON COLUMN seed.event_motives.source_id IS 'The source.';
COMMENT ON COLUMN seed.event_motives.evidence_quote IS 'Verbatim words of the held document of the source (checked at build); at most about 40 words.';
COMMENT ON COLUMN seed.event_motives.quote_gloss IS 'English gloss of the quote, in the curators'' words, when the quote is not in English.';

CREATE TABLE seed.yearly_counts (
    -- From 1945 to this year: validate.py says so, as a constraint cannot read the clock.
    year                INTEGER PRIMARY KEY,
    total_arrivals      INTEGER CHECK (total_arrivals >= 0),  -- total_arrivals: {total_arrivals} is negative (expected a count of 0 or more)
    male                INTEGER CHECK (male >= 0),  -- male: {male} is negative (expected a count of 0 or more)
    female              INTEGER CHECK (female >= 0),  -- female: {female} is negative (expected a count of 0 or more)
    elite_count         INTEGER CHECK (elite_count >= 0),  -- elite_count: {elite_count} is negative (expected a count of 0 or more)
    elite_count_low     INTEGER CHECK (elite_count_low >= 0),  -- elite_count_low: {elite_count_low} is negative (expected a count of 0 or more)
    elite_count_high    INTEGER CHECK (elite_count_high >= elite_count_low),
                        -- elite_count_high: {elite_count_high} is below elite_count_low {elite_count_low}
    elite_count_approx  BOOLEAN,
    elite_count_wording VARCHAR,
    elite_count_basis   elite_count_basis,
    notes               VARCHAR,
    -- An elite figure (a count, or a low/high range) comes with whether it is approximate and who gave it.
    CHECK (elite_count_approx IS NOT NULL OR coalesce(elite_count, elite_count_low, elite_count_high) IS NULL),
    -- elite_count_approx: is empty but an elite figure is given (expected true or false)
    CHECK (elite_count_approx IS NULL OR coalesce(elite_count, elite_count_low, elite_count_high) IS NOT NULL),
    -- elite_count_approx: is {elite_count_approx} but no elite figure is given (expected empty)
    CHECK (elite_count_basis IS NOT NULL OR coalesce(elite_count, elite_count_low, elite_count_high) IS NULL),
    -- elite_count_basis: is empty but an elite figure is given (expected official or media)
    CHECK (elite_count_basis IS NULL OR coalesce(elite_count, elite_count_low, elite_count_high) IS NOT NULL),
    -- elite_count_basis: is {elite_count_basis} but no elite figure is given (expected empty)
    CHECK (elite_count_approx OR (elite_count_low IS NULL AND elite_count_high IS NULL)),
    -- elite_count_approx: is false but a low/high range is given (expected true for a range)
    CHECK (NOT elite_count_approx OR elite_count_wording IS NOT NULL),
    -- elite_count_wording: required when elite_count_approx is true (the source's words, e.g. 'about 10')
    CHECK (elite_count BETWEEN elite_count_low AND elite_count_high)
    -- elite_count: {elite_count} is outside the range elite_count_low..elite_count_high
);
COMMENT ON TABLE seed.yearly_counts IS 'Arrivals of North Korean defectors in South Korea per calendar year, and elite figures where any exist.';
COMMENT ON COLUMN seed.yearly_counts.year IS 'Calendar year of arrival in South Korea.';
COMMENT ON COLUMN seed.yearly_counts.total_arrivals IS 'All arrivals that year (Unification Ministry), the current revised figure.';
COMMENT ON COLUMN seed.yearly_counts.male IS 'Men among the arrivals, where reported.';
COMMENT ON COLUMN seed.yearly_counts.female IS 'Women among the arrivals, where reported.';
COMMENT ON COLUMN seed.yearly_counts.elite_count IS 'Elite defectors that year, when a point figure was reported.';
COMMENT ON COLUMN seed.yearly_counts.elite_count_low IS 'Lower bound when only a range or a minimum was reported.';
COMMENT ON COLUMN seed.yearly_counts.elite_count_high IS 'Upper bound when only a range was reported.';
COMMENT ON COLUMN seed.yearly_counts.elite_count_approx IS 'true when the elite figure is approximate, partial or a range; empty when there is none.';
COMMENT ON COLUMN seed.yearly_counts.elite_count_wording IS 'The source''s own words for the elite figure (e.g. "about 10").';
COMMENT ON COLUMN seed.yearly_counts.elite_count_basis IS 'official when a government gave the elite figure (Unification Ministry, NIS), media when only the press did; empty when there is none.';
COMMENT ON COLUMN seed.yearly_counts.notes IS 'Revisions, disagreements, scope.';

CREATE TABLE seed.yearly_count_sources (
    year           INTEGER NOT NULL REFERENCES seed.yearly_counts (year),
    source_id      VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    evidence_quote VARCHAR,
    quote_gloss    VARCHAR,
    PRIMARY KEY (year, source_id)
);
COMMENT ON TABLE seed.yearly_count_sources IS 'Which sources support each year''s figures.';
COMMENT ON COLUMN seed.yearly_count_sources.year IS 'The year.';
COMMENT ON COLUMN seed.yearly_count_sources.source_id IS 'The source.';
COMMENT ON COLUMN seed.yearly_count_sources.evidence_quote IS 'Verbatim words of the held document of the source (checked at build); at most about 40 words.';
COMMENT ON COLUMN seed.yearly_count_sources.quote_gloss IS 'English gloss of the quote, in the curators'' words, when the quote is not in English.';

CREATE TABLE seed.context_events (
    context_id     VARCHAR PRIMARY KEY,
    event_date     DATE NOT NULL,
    date_precision date_precision NOT NULL,
    actors         VARCHAR NOT NULL,
    event_type     context_event_type NOT NULL,
    summary        VARCHAR NOT NULL,
    headline       VARCHAR,
    event_id       VARCHAR REFERENCES seed.defections (event_id),
    notes          VARCHAR
);
COMMENT ON TABLE seed.context_events IS 'The diplomatic timeline around the defections.';
COMMENT ON COLUMN seed.context_events.context_id IS 'Stable id (C01...).';
COMMENT ON COLUMN seed.context_events.event_date IS 'First day of the period of the event; read with date_precision.';
COMMENT ON COLUMN seed.context_events.date_precision IS 'day, month or year.';
COMMENT ON COLUMN seed.context_events.actors IS 'Semicolon-separated countries involved.';
COMMENT ON COLUMN seed.context_events.event_type IS 'diplomatic ties, embassy opening, embassy closure, visit, statement or defection-related.';
COMMENT ON COLUMN seed.context_events.summary IS 'What happened, in the curators'' words.';
COMMENT ON COLUMN seed.context_events.headline IS 'A few words that label the event on a chart (the Havana sequence of the Cuba panel); empty for the rest.';
COMMENT ON COLUMN seed.context_events.event_id IS 'The defection the event concerns, if any.';
COMMENT ON COLUMN seed.context_events.notes IS 'Disputed points.';

CREATE TABLE seed.context_event_sources (
    context_id     VARCHAR NOT NULL REFERENCES seed.context_events (context_id),
    source_id      VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    evidence_quote VARCHAR,
    quote_gloss    VARCHAR,
    PRIMARY KEY (context_id, source_id)
);
COMMENT ON TABLE seed.context_event_sources IS 'Which sources support each context event.';
COMMENT ON COLUMN seed.context_event_sources.context_id IS 'The context event.';
COMMENT ON COLUMN seed.context_event_sources.source_id IS 'The source.';
COMMENT ON COLUMN seed.context_event_sources.evidence_quote IS 'Verbatim words of the held document of the source (checked at build); at most about 40 words.';
COMMENT ON COLUMN seed.context_event_sources.quote_gloss IS 'English gloss of the quote, in the curators'' words, when the quote is not in English.';

CREATE TABLE seed.commentary (
    commentary_id VARCHAR PRIMARY KEY,
    speaker       VARCHAR NOT NULL,
    speaker_role  VARCHAR,
    attributed_to attribution NOT NULL,
    stated_date   DATE,
    event_id      VARCHAR REFERENCES seed.defections (event_id),
    year          INTEGER REFERENCES seed.yearly_counts (year),
    summary       VARCHAR NOT NULL,
    quote         VARCHAR,
    source_id     VARCHAR NOT NULL REFERENCES seed.sources (source_id)
);
COMMENT ON TABLE seed.commentary IS 'Attributed assessments: what an expert or officials said, not established fact.';
COMMENT ON COLUMN seed.commentary.commentary_id IS 'Stable id.';
COMMENT ON COLUMN seed.commentary.speaker IS 'Who said it.';
COMMENT ON COLUMN seed.commentary.speaker_role IS 'Their role or affiliation.';
COMMENT ON COLUMN seed.commentary.attributed_to IS 'self, north-korean-officials, south-korean-officials, other-governments, unnamed-officials, media or analysts.';
COMMENT ON COLUMN seed.commentary.stated_date IS 'When it was said or published.';
COMMENT ON COLUMN seed.commentary.event_id IS 'The defection it is about, if any.';
COMMENT ON COLUMN seed.commentary.year IS 'The year of arrivals it is about, if any.';
COMMENT ON COLUMN seed.commentary.summary IS 'The assessment in the curators'' words.';
COMMENT ON COLUMN seed.commentary.quote IS 'Verbatim words; checked against the document when the source is one.';
COMMENT ON COLUMN seed.commentary.source_id IS 'The source.';

CREATE TABLE seed.revisions (
    revision_id    VARCHAR PRIMARY KEY,
    table_name     VARCHAR NOT NULL,
    row_key        VARCHAR NOT NULL,
    column_name    VARCHAR NOT NULL,
    previous_value VARCHAR,
    current_value  VARCHAR,
    revised_on     DATE,
    reason         VARCHAR NOT NULL,
    source_id      VARCHAR REFERENCES seed.sources (source_id)
);
COMMENT ON TABLE seed.revisions IS 'Changelog: official figures revised after first release.';
COMMENT ON COLUMN seed.revisions.revision_id IS 'Stable id.';
COMMENT ON COLUMN seed.revisions.table_name IS 'The table whose value changed.';
COMMENT ON COLUMN seed.revisions.row_key IS 'The row (its id or year).';
COMMENT ON COLUMN seed.revisions.column_name IS 'The column that changed.';
COMMENT ON COLUMN seed.revisions.previous_value IS 'The value first reported or held.';
COMMENT ON COLUMN seed.revisions.current_value IS 'The value now held.';
COMMENT ON COLUMN seed.revisions.revised_on IS 'When the change was made or published, if known.';
COMMENT ON COLUMN seed.revisions.reason IS 'Why.';
COMMENT ON COLUMN seed.revisions.source_id IS 'The source of the earlier or the corrected figure.';

CREATE TABLE seed.corrections (
    correction_id  VARCHAR PRIMARY KEY,
    table_name     VARCHAR NOT NULL,
    row_key        VARCHAR NOT NULL,
    column_name    VARCHAR NOT NULL,
    previous_value VARCHAR,
    current_value  VARCHAR,
    corrected_on   DATE NOT NULL,
    reason         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL REFERENCES seed.sources (source_id),
    CHECK (previous_value IS DISTINCT FROM current_value)
    -- current_value: equals previous_value (a correction changes a value)
);
COMMENT ON TABLE seed.corrections IS 'Data changelog: every correction of a curated fact, with its reason and source.';
COMMENT ON COLUMN seed.corrections.correction_id IS 'Stable id (X001...).';
COMMENT ON COLUMN seed.corrections.table_name IS 'The seed table whose value changed.';
COMMENT ON COLUMN seed.corrections.row_key IS 'The row (its id).';
COMMENT ON COLUMN seed.corrections.column_name IS 'The column that changed.';
COMMENT ON COLUMN seed.corrections.previous_value IS 'The value held before (what an earlier export showed).';
COMMENT ON COLUMN seed.corrections.current_value IS 'The value held now.';
COMMENT ON COLUMN seed.corrections.corrected_on IS 'When the correction was made.';
COMMENT ON COLUMN seed.corrections.reason IS 'Why, in the curators'' words.';
COMMENT ON COLUMN seed.corrections.source_id IS 'The source that shows the corrected value.';

-- Releases of the curated data (defections/release.py, README "Citing a release"). Bookkeeping about the
-- data, not data: these two files are left out of the digest they record.
CREATE TABLE seed.releases (
    release     VARCHAR PRIMARY KEY CHECK (regexp_matches(release, '^[0-9][0-9A-Za-z.-]*$')),
                -- release: {release!r} is not a version (expected a digit, then digits, letters, dots or dashes: 2026.12.1)
    released_on DATE NOT NULL,
    note        VARCHAR NOT NULL,
    digest      VARCHAR NOT NULL CHECK (regexp_matches(digest, '^[0-9a-f]{64}$'))
                -- digest: {digest!r} is not a sha256 digest (expected 64 lower-case hexadecimal digits)
);
COMMENT ON TABLE seed.releases IS 'Every release of the curated data: its version, date, note and the digest of the seeds it holds.';
COMMENT ON COLUMN seed.releases.release IS 'Version, date-based (2026.12.1: the first release of December 2026).';
COMMENT ON COLUMN seed.releases.released_on IS 'When the release was recorded.';
COMMENT ON COLUMN seed.releases.note IS 'What the release brings, in the curators'' words.';
COMMENT ON COLUMN seed.releases.digest IS 'sha256 of the curated data released (the seed CSVs as rows, in any order, and the held documents).';

-- Row keys rather than whole past seeds: enough to say when a row first appeared and which rows a release
-- removed, in a file that grows by the rows that change.
CREATE TABLE seed.release_rows (
    release    VARCHAR NOT NULL REFERENCES seed.releases (release),
    table_name VARCHAR NOT NULL,
    row_key    VARCHAR NOT NULL,
    change     ENUM('added', 'removed') NOT NULL,
    PRIMARY KEY (release, table_name, row_key)
);
COMMENT ON TABLE seed.release_rows IS 'The rows each release added to or removed from the curated tables (the first release lists every row).';
COMMENT ON COLUMN seed.release_rows.release IS 'The release (releases.release).';
COMMENT ON COLUMN seed.release_rows.table_name IS 'The curated table.';
COMMENT ON COLUMN seed.release_rows.row_key IS 'The row''s primary key; the columns of a composite key joined by |.';
COMMENT ON COLUMN seed.release_rows.change IS 'added (first in this release, or back) or removed (held by the release before, not by this one).';

CREATE TABLE build_info (
    schema_version INTEGER NOT NULL,
    built_at       TIMESTAMP NOT NULL,
    seeds_digest   VARCHAR NOT NULL,
    as_of_date     DATE
);
COMMENT ON TABLE build_info IS 'When and from which seeds this database was built.';

CREATE TABLE documents (
    document  VARCHAR PRIMARY KEY,
    url       VARCHAR,
    title     VARCHAR,
    publisher VARCHAR,
    published DATE,
    read_on   DATE,
    text      VARCHAR NOT NULL
);
COMMENT ON TABLE documents IS 'Source texts held in seeds/documents/: the passage read (its header fields apart), against which quotes are checked.';

-- Filled by the build (defections/release.py): what the release views compare with seed.releases.
CREATE TABLE curated_digest (digest VARCHAR NOT NULL);
COMMENT ON TABLE curated_digest IS 'The digest of the curated data this database was built from (as seed.releases.digest).';
CREATE TABLE row_keys (table_name VARCHAR NOT NULL, row_key VARCHAR NOT NULL, PRIMARY KEY (table_name, row_key));
COMMENT ON TABLE row_keys IS 'The key of every row of the curated tables, as seed.release_rows writes it.';
