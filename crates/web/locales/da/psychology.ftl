psychology-title = Psykolognotater
psychology-intro = Kun psykologer kan læse og skrive her. Hver læsning står i adgangsloggen.
psychology-new-note = Nyt notat
psychology-saved = Notatet er gemt.
