"""NN Design Lab: the Streamlit app. (The comparison UI is being built; see the README.)"""
import streamlit as st

st.set_page_config(page_title="NN Design Lab", layout="wide")
st.title("NN Design Lab")
st.info("The comparison app is not built yet. Today this project has the NumPy network (`nn`) "
        "and its tests; see the README for the API.")
