"""The corpus: reading article files (`load`), cleaning them into paragraphs (`paragraphs`),
publication dates found in the text (`published`), copies of one story (`copies`) and the
user's folder of added articles (`library`). Imports `lib.timex` and below.
"""
