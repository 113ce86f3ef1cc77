"""The Streamlit app: the only package that imports Streamlit. See streamlit_app.py for the frame."""
