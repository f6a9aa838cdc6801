# The trial's public log: seen without a log-in

log-index-title = The randomisation's public log
log-index-intro = Each trial has a public log of its allocations. Anyone can fetch it and check it with tools Spire did not write. It holds no personal data.
log-index-empty = There are no trials yet.
log-entries = { $count ->
    [one] { $count } entry
   *[other] { $count } entries
}
log-revealed = the key is revealed: the design is public
log-concealed-short = the trial is running: the arms are concealed
log-concealed = Published when the allocation key is revealed at the end of the trial. Until then the design is concealed, so that nobody can predict the next allocation.
log-entries-withheld = The entries and the allocation key are given only to a named recipient, and the handover is logged. An entry holds no CPR number and no name, but its exact time, municipality and stratum together can single a person out, and with the key whoever knows when a person was drawn could work out their arm.
log-title = Public log of the trial
log-intro = Here anyone, without a log-in, can check that every allocation is in the log and that the log was never rewritten. After the reveal a named auditor given the entries and the key can check the commitment and that every arm is the one the commitment gave.
log-flow-title = From the allocation to your check
log-step-draw = Allocation
log-step-log = Added to the log
log-step-checkpoint = The log signs a checkpoint
log-step-witness = Witnesses cosign
log-step-you = You check for yourself
log-facts = The log now
log-size = Entries
log-status = Status
log-origin = The log's name
log-key = Key to check with
log-commitment = Commitment
log-witnesses = Witnesses of the latest checkpoint
log-no-witness = none yet
log-files = The files
log-file-bundle = the whole log in one archive, to check offline
log-file-checkpoint = the latest checkpoint, signed by the log and cosigned by witnesses
log-file-key = the log's public key
log-file-info = trial, key, commitment and size
log-file-heads = every signed checkpoint, one a line
log-file-cosignatures = the witnesses' cosignatures
log-file-tiles = the tree's hashes in tiles (C2SP tlog-tiles)
log-file-revealed = the design versions are public after the reveal
log-check = How to check
log-check-intro = Save the checkpoint today. Fetch the log again later and check it against the saved one: a log cut back or rewritten fails.
log-check-go = The formats are C2SP tlog-checkpoint, tlog-tiles and tlog-cosignature, so the Go packages golang.org/x/mod/sumdb/note and sumdb/tlog can check the signature and the proofs.

field-recipient = Recipient
field-purpose = Purpose
