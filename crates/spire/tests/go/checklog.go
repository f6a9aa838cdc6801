// checklog: an outsider's check of a Spire trial's public log, written only
// against the published formats and Go's own transparency-log packages
// (golang.org/x/mod/sumdb/note and sumdb/tlog), not against Spire's code.
//
// Usage: checklog [-old SAVED-CHECKPOINT] [-leaf INDEX:HEX]... [-entries] BASE
//
// BASE is the log's URL or a bundle directory (`spire trial bundle`).
//
// It fetches BASE/key and BASE/checkpoint, opens the checkpoint with the key
// (note.Open), reads the tree from BASE/tile/..., and then proves and checks
// every -leaf (tlog.ProveRecord, tlog.CheckRecord), the consistency of the
// saved checkpoint with today's (tlog.ProveTree, tlog.CheckTree), and with
// -entries every entry of BASE/tile/entries/... (tlog.RecordHash). Exit 0
// only when all holds; the first failure is printed.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func get(base, path string) []byte {
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		// A bundle directory: the same files.
		body, err := os.ReadFile(filepath.Join(base, path))
		if err != nil {
			fail("read %s: %v", path, err)
		}
		return body
	}
	resp, err := http.Get(base + "/" + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		fail("GET %s: status %d", path, resp.StatusCode)
	}
	return body
}

// A checkpoint (C2SP tlog-checkpoint): origin, size, base64 root.
func parseCheckpoint(text string) (string, tlog.Tree) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		fail("checkpoint is not three lines: %q", text)
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("checkpoint root: %v", err)
	}
	var hash tlog.Hash
	copy(hash[:], raw)
	return lines[0], tlog.Tree{N: n, Hash: hash}
}

func openCheckpoint(msg []byte, verifiers note.Verifiers) (string, tlog.Tree) {
	n, err := note.Open(msg, verifiers)
	if err != nil {
		fail("note.Open: %v", err)
	}
	return parseCheckpoint(n.Text)
}

// Tiles served as C2SP tlog-tiles: tile/L/N[.p/W], without sumdb's height
// element. Each is fetched once (a polite client of a rate-limited log).
type tiles struct {
	base  string
	cache map[string][]byte
}

func (t tiles) Height() int { return 8 }

func c2spPath(tile tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
}

func (t tiles) ReadTiles(list []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, tile := range list {
		path := c2spPath(tile)
		if _, ok := t.cache[path]; !ok {
			t.cache[path] = get(t.base, path)
		}
		out[i] = t.cache[path]
	}
	return out, nil
}

func (t tiles) SaveTiles([]tlog.Tile, [][]byte) {}

type leaves []string

func (l *leaves) String() string     { return strings.Join(*l, ",") }
func (l *leaves) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	old := flag.String("old", "", "a checkpoint saved earlier")
	entries := flag.Bool("entries", false, "check every entry of the entry bundles")
	var leafArgs leaves
	flag.Var(&leafArgs, "leaf", "INDEX:HEX leaf hash from a receipt (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fail("usage: checklog BASE-URL [-old FILE] [-leaf INDEX:HEX]... [-entries]")
	}
	base := strings.TrimSuffix(flag.Arg(0), "/")

	verifier, err := note.NewVerifier(strings.TrimSpace(string(get(base, "key"))))
	if err != nil {
		fail("the log's key: %v", err)
	}
	verifiers := note.VerifierList(verifier)
	origin, tree := openCheckpoint(get(base, "checkpoint"), verifiers)
	if origin != verifier.Name() {
		fail("origin %q is not the key's name %q", origin, verifier.Name())
	}
	reader := tlog.TileHashReader(tree, tiles{base, map[string][]byte{}})
	fmt.Printf("checkpoint: %s size %d signature ok\n", origin, tree.N)

	for _, arg := range leafArgs {
		parts := strings.SplitN(arg, ":", 2)
		index, err1 := strconv.ParseInt(parts[0], 10, 64)
		raw, err2 := hex.DecodeString(parts[len(parts)-1])
		if len(parts) != 2 || err1 != nil || err2 != nil || len(raw) != tlog.HashSize {
			fail("-leaf %s: not INDEX:HEX", arg)
		}
		var leaf tlog.Hash
		copy(leaf[:], raw)
		proof, err := tlog.ProveRecord(tree.N, index, reader)
		if err != nil {
			fail("inclusion proof of %d: %v", index, err)
		}
		if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, leaf); err != nil {
			fail("inclusion of %d: %v", index, err)
		}
	}
	fmt.Printf("inclusion: %d leaf hash(es) proven in the tree of size %d\n", len(leafArgs), tree.N)

	if *old != "" {
		msg, err := os.ReadFile(*old)
		if err != nil {
			fail("-old: %v", err)
		}
		oldOrigin, oldTree := openCheckpoint(msg, verifiers)
		if oldOrigin != origin {
			fail("the saved checkpoint is of log %q", oldOrigin)
		}
		proof, err := tlog.ProveTree(tree.N, oldTree.N, reader)
		if err != nil {
			fail("consistency proof from %d: %v", oldTree.N, err)
		}
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, oldTree.N, oldTree.Hash); err != nil {
			fail("consistency from %d: %v", oldTree.N, err)
		}
		fmt.Printf("consistency: size %d extends the saved size %d\n", tree.N, oldTree.N)
	}

	if *entries {
		var index int64
		for start := int64(0); start < tree.N; start += 256 {
			width := tree.N - start
			if width > 256 {
				width = 256
			}
			tile := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
			path := "tile/entries/" + strings.TrimPrefix(tile.Path(), "tile/8/data/")
			bundle := get(base, path)
			for len(bundle) > 0 {
				if len(bundle) < 2 {
					fail("%s: cut short", path)
				}
				size := int(binary.BigEndian.Uint16(bundle))
				if len(bundle) < 2+size {
					fail("%s: cut short", path)
				}
				hashes, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
				if err != nil {
					fail("leaf hash %d: %v", index, err)
				}
				if tlog.RecordHash(bundle[2:2+size]) != hashes[0] {
					fail("entry %d does not hash to its leaf", index)
				}
				bundle = bundle[2+size:]
				index++
			}
		}
		if index != tree.N {
			fail("%d entries for a tree of size %d", index, tree.N)
		}
		fmt.Printf("entries: all %d hash to their leaves\n", index)
	}
	fmt.Println("ok")
}
