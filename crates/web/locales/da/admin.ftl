# Administration

administration = Drift
user-new-title = Opret bruger
none-cross-municipal = Ingen (tværkommunal rolle)
user-created = Brugeren { $login } er oprettet.
