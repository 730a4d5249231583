"""What happened when: time-expression mentions with titles (`events`, `titles`), merged into
events incrementally (`merge`, `arrays`), days ranked as key events (`keyevents`), the tables the
index build stores (`tables`), and what a page or command shows from them (`view`). Imports
`lib.entities` and below.
"""
