"""Reference app for the browser benchmark: the dashboard's frame (its database, sidebar filters bound to
the URL, navigation at the app's URLs) around a short page, so that what a page takes beyond it is its own
work; /blank is an empty Streamlit page. `streamlit run bench/reference.py` (DEFECTIONS_DB, PYTHONPATH=.)."""

import streamlit as st

from defections import ui
from defections.registry import PAGES

st.set_page_config(page_title="Reference", layout="wide")


def short(title: str):
    def draw() -> None:
        st.title(title)
        st.markdown(ui.filters().describe())
    return draw


current = st.navigation([st.Page(short(p.title), title=p.title, url_path=p.url_path or None, default=not p.url_path)
                         for p in PAGES] + [st.Page(lambda: None, title="blank", url_path="blank")])
if current.url_path != "blank":
    ui.database()
    ui.sidebar_filters()
current.run()
