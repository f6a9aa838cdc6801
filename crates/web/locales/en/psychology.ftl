psychology-title = Psychologist notes
psychology-intro = Only psychologists can read and write here. Every read is in the access log.
psychology-new-note = New note
psychology-saved = The note is saved.
