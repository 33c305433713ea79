"""The call for proposals: formats, questions, access codes, proposals, presenters."""
