"""The only Streamlit code in `lib`: cached loaders (`loaders`), URL state (`state`), the page
frame and its error boundary (`frame`), the sign-in gate (`gate`) and shared widgets
(`widgets`). Pages import from here and from the analysis modules; nothing in `lib` imports it.
"""
