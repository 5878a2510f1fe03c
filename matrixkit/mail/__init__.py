"""The email loop around a cycle: send each manager their workbook, remind who has not returned, collect replies.

`plan` decides who gets what (pure), `compose` builds each message with header-safe text (pure), `smtp`
sends and keeps the send log, `collect` saves the workbooks that came back (from `imap` or `.eml` files).
"""
