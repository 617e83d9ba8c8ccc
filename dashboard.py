"""The frame of the dashboard: page config, the database, the shared sidebar filters, navigation."""

import streamlit as st

from defections import ui

st.set_page_config(page_title="North Korean elite defections", page_icon="🌏",
                   layout="wide")

con = ui.database()
ui.sidebar_filters(con)

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/motives.py", title="Motives", icon=":material/psychology:", url_path="motives"),
    st.Page("pages/context.py", title="Diplomatic context", icon=":material/public:", url_path="context"),
    st.Page("pages/events.py", title="Events", icon=":material/table_rows:", url_path="events"),
    st.Page("pages/sources.py", title="Sources and method", icon=":material/menu_book:", url_path="sources"),
]
st.navigation(pages).run()
