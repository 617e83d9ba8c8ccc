"""North Korean elite defections: curated seeds, their validation and build, and the dashboard's queries."""
