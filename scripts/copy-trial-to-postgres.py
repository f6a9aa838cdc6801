#!/usr/bin/env python3
# Copies a trial's evidence (trials row, designs, ledger, heads) from a SQLite
# database to a migrated, empty PostgreSQL database, to time `spire trial verify`
# on PostgreSQL with the same million-entry ledger (no personal data is copied):
#   scripts/copy-trial-to-postgres.py /tmp/big.db postgres://…/bigverify
import sqlite3, sys, subprocess, io
src, pg = sys.argv[1], sys.argv[2]
c = sqlite3.connect(f'file:{src}?mode=ro', uri=True)
def val(v):
    if v is None: return r'\N'
    if isinstance(v, bytes): return '\\\\x' + v.hex()
    return str(v).replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')
def copy(table, cols, rows):
    p = subprocess.Popen(['psql', '-q', pg, '-c', f"COPY {table} ({', '.join(cols)}) FROM STDIN"], stdin=subprocess.PIPE)
    buf = io.TextIOWrapper(p.stdin, encoding='utf-8', newline='\n')
    n = 0
    for r in rows:
        buf.write('\t'.join(val(v) for v in r) + '\n'); n += 1
    buf.flush(); p.stdin.close(); assert p.wait() == 0, table
    print(table, n, flush=True)
trial_cols = ['id','public_id','name','status','target_size','settings','design_version','commitment','key_ciphertext','head_seed_ciphertext','head_public_key','ledger_size','allocation_count','frontier','last_unix_seconds','last_nanos','created_at']
copy('trials', trial_cols, c.execute(f"SELECT {', '.join(trial_cols)} FROM trials"))
dcols = ['trial_id','version','document','digest','from_index']
copy('trial_designs', dcols, c.execute(f"SELECT {', '.join(dcols)} FROM trial_designs"))
lcols = ['id','trial_id','ledger_index','design_version','unix_seconds','nanos','actor_id','kind','stratum','allocation_number','block_number','block_offset','subject','arm','baseline_hash','annotated_index','note_hash','design_digest','note','leaf_hash','municipality_code']
copy('trial_ledger', lcols, c.execute(f"SELECT {', '.join(lcols)} FROM trial_ledger ORDER BY id"))
hcols = ['trial_id','tree_size','root','unix_seconds','nanos','signature']
copy('trial_heads', hcols, c.execute(f"SELECT {', '.join(hcols)} FROM trial_heads ORDER BY tree_size"))
