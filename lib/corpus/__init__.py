"""The corpus: reading article files (`load`), cleaning them into paragraphs (`paragraphs`),
publication dates found in the text (`published`), copies of one story (`copies`), the
user's folder of added articles (`library`), what to call an article (`titles`) and a passage's
citation (`citations`). Imports `lib.timex` and below.
"""
