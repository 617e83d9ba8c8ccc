"""The frame of the dashboard: page config, the database, the shared sidebar filters, navigation."""

import streamlit as st

from defections import ui
from defections.registry import PAGES

st.set_page_config(page_title="North Korean elite defections", page_icon="🌏",
                   layout="wide")

ui.database()
ui.sidebar_filters()
with st.sidebar:
    ui.rerun_on_reconnect()

ui.navigation(PAGES).run()
ui.cite_views()  # a page that stops early draws them before it stops (ui.stop)
