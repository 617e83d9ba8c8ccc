"""The frame of the dashboard: page config, the database, the shared sidebar filters, navigation."""

import streamlit as st

from defections import ui

st.set_page_config(page_title="North Korean elite defections", page_icon="🌏",
                   layout="wide")

con = ui.database()
ui.sidebar_filters(con)

PAGES = [  # script, title, icon, URL path ("" for the home page)
    ("pages/overview.py", "Overview", ":material/dashboard:", ""),
    ("pages/timeline.py", "Timeline", ":material/timeline:", "timeline"),
    ("pages/motives.py", "Motives", ":material/psychology:", "motives"),
    ("pages/context.py", "Diplomatic context", ":material/public:", "context"),
    ("pages/events.py", "Events", ":material/table_rows:", "events"),
    ("pages/sources.py", "Sources and method", ":material/menu_book:", "sources"),
]
ui.navigation(PAGES).run()
