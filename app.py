"""OpsKB web app: page setup, language switch and navigation; the pages live in ui/."""

import streamlit as st

from ui import i18n, nav

st.set_page_config(page_title="OpsKB 运营知识库", page_icon=":material/insights:", layout="wide")
i18n.language_picker()
nav_page = st.navigation(nav.pages())
nav_page.run()
