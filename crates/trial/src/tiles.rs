//! The tree as C2SP `tlog-tiles`: static, cacheable files from which any client computes the
//! inclusion and consistency proofs it needs (Go's `sumdb/tlog.TileHashReader` does).
//!
//! A tile at level L, index N holds the hashes of the tree's complete subtrees of 256^L leaves
//! numbered N·256 … N·256+W−1, 32 bytes each; level 0 holds the leaf hashes. A full tile has
//! W = 256 and never changes; the tree's edge is a partial tile (`.p/W`). An entry bundle
//! (`tile/entries/N`) holds the leaves themselves, each as a big-endian u16 length and bytes.

use crate::merkle::{Hash, MerkleTree};

/// Hashes (or entries) per full tile: tile height 8.
pub const TILE_WIDTH: u64 = 256;
const TILE_HEIGHT: u32 = 8;

/// One tile's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tile {
    /// `None` for an entry bundle, else the hash level L.
    pub level: Option<u8>,
    pub index: u64,
    /// 1..=256; below 256 the tile is partial.
    pub width: u16,
}

impl Tile {
    /// The tile's path, e.g. `tile/0/x001/234.p/17` or `tile/entries/000`.
    pub fn path(&self) -> String {
        let level = match self.level {
            Some(level) => level.to_string(),
            None => "entries".to_string(),
        };
        let digits = self.index.to_string();
        let padded = format!("{}{digits}", "0".repeat((3 - digits.len() % 3) % 3));
        let groups: Vec<&str> = padded
            .as_bytes()
            .chunks(3)
            .map(|g| std::str::from_utf8(g).unwrap_or_default())
            .collect();
        let (last, first) = groups.split_last().expect("a number has a digit");
        let mut path = format!("tile/{level}/");
        for group in first {
            path.push_str(&format!("x{group}/"));
        }
        path.push_str(last);
        if u64::from(self.width) < TILE_WIDTH {
            path.push_str(&format!(".p/{}", self.width));
        }
        path
    }

    /// Reads a tile path; `None` for anything not spelled exactly as [`Tile::path`] spells it.
    pub fn parse(path: &str) -> Option<Tile> {
        let rest = path.strip_prefix("tile/")?;
        let (level, rest) = rest.split_once('/')?;
        let level = match level {
            "entries" => None,
            digits => {
                let level: u8 = digits.parse().ok()?;
                (level < 64 && level.to_string() == digits).then_some(Some(level))?
            }
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let width: u16 = width.parse().ok()?;
                if width == 0 || u64::from(width) >= TILE_WIDTH {
                    return None;
                }
                (index, width)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let groups: Vec<&str> = index_part.split('/').collect();
        let (last, first) = groups.split_last()?;
        let mut digits = String::new();
        for group in first {
            digits.push_str(group.strip_prefix('x')?);
        }
        digits.push_str(last);
        if groups.iter().any(|g| g.trim_start_matches('x').len() != 3)
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let index: u64 = digits.parse().ok()?;
        let tile = Tile {
            level,
            index,
            width,
        };
        (tile.path() == path).then_some(tile)
    }

    /// How many hashes at this tile's level a tree of `size` leaves has.
    fn nodes_at_level(level: Option<u8>, size: u64) -> u64 {
        let height = u32::from(level.unwrap_or(0)) * TILE_HEIGHT;
        size.checked_shr(height).unwrap_or(0)
    }

    /// Whether a tree of `size` leaves holds this tile (a partial tile: any prefix of the
    /// tree's edge, so that clients holding an older checkpoint are served too).
    pub fn within(&self, size: u64) -> bool {
        let nodes = Tile::nodes_at_level(self.level, size);
        self.index
            .checked_mul(TILE_WIDTH)
            .and_then(|start| start.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= nodes)
    }

    /// The leaf indexes this tile stands on.
    pub fn leaf_range(&self) -> std::ops::Range<u64> {
        let span = 1u64 << (u32::from(self.level.unwrap_or(0)) * TILE_HEIGHT);
        let first = self.index * TILE_WIDTH * span;
        first..first + u64::from(self.width) * span
    }
}

/// Every tile of a tree of `size` leaves: full tiles and the partial edge of each level, and
/// the entry bundles alike.
pub fn tiles_of(size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    for level in [None].into_iter().chain((0..64u8).map(Some)) {
        let nodes = Tile::nodes_at_level(level, size);
        if nodes == 0 {
            if level.is_some() {
                break;
            }
            continue;
        }
        for index in 0..nodes / TILE_WIDTH {
            tiles.push(Tile {
                level,
                index,
                width: TILE_WIDTH as u16,
            });
        }
        if !nodes.is_multiple_of(TILE_WIDTH) {
            tiles.push(Tile {
                level,
                index: nodes / TILE_WIDTH,
                width: (nodes % TILE_WIDTH) as u16,
            });
        }
    }
    tiles
}

/// A hash tile's bytes, from the tree (its leaf hashes must cover the tile).
pub fn tile_hashes(tree: &MerkleTree, tile: &Tile) -> Option<Vec<u8>> {
    let level = tile.level?;
    if !tile.within(tree.len()) {
        return None;
    }
    let row = tree.complete_subtrees((u32::from(level) * TILE_HEIGHT) as usize);
    let first = (tile.index * TILE_WIDTH) as usize;
    Some(row.get(first..first + usize::from(tile.width))?.concat())
}

/// Reads a hash tile's bytes into hashes (`None` unless exactly `width` hashes).
pub fn read_hash_tile(tile: &Tile, bytes: &[u8]) -> Option<Vec<Hash>> {
    if bytes.len() != usize::from(tile.width) * 32 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(32)
            .map(|c| c.try_into().expect("32 bytes"))
            .collect(),
    )
}

/// An entry bundle's bytes: each entry as u16 length and bytes (an entry over 65,535 bytes
/// cannot be bundled and is refused).
pub fn entry_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    for entry in entries {
        bytes.extend_from_slice(&u16::try_from(entry.len()).ok()?.to_be_bytes());
        bytes.extend_from_slice(entry);
    }
    Some(bytes)
}

/// Reads an entry bundle back; `None` if it is cut short or holds other than `width` entries.
pub fn read_entry_bundle(tile: &Tile, mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut entries = Vec::with_capacity(usize::from(tile.width));
    while let Some((length, rest)) = bytes.split_first_chunk::<2>() {
        let length = usize::from(u16::from_be_bytes(*length));
        let (entry, rest) = rest.split_at_checked(length)?;
        entries.push(entry.to_vec());
        bytes = rest;
    }
    (bytes.is_empty() && entries.len() == usize::from(tile.width)).then_some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle;

    #[test]
    fn paths_are_spelled_as_c2sp_says_and_read_back() {
        let cases = [
            (Some(0), 0, 256, "tile/0/000"),
            (Some(1), 1_234_067, 256, "tile/1/x001/x234/067"),
            (Some(0), 5, 17, "tile/0/005.p/17"),
            (None, 1000, 3, "tile/entries/x001/000.p/3"),
        ];
        for (level, index, width, path) in cases {
            let tile = Tile {
                level,
                index,
                width,
            };
            assert_eq!(tile.path(), path);
            assert_eq!(Tile::parse(path), Some(tile));
        }
        for bad in [
            "tile/0/5",
            "tile/0/x000/005",
            "tile/00/000",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/07",
            "tile/64/000",
            "tile/0/../000",
            "tiles/0/000",
        ] {
            assert_eq!(Tile::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_tiles_of_a_tree_cover_every_level_and_its_edge() {
        let tiles = tiles_of(256 * 256 + 300);
        let paths: Vec<String> = tiles.iter().map(Tile::path).collect();
        // 65,836 leaves: 257 full leaf tiles and 44 over; 257 level-1 hashes; 1 level-2 hash.
        for path in [
            "tile/0/256",
            "tile/0/257.p/44",
            "tile/1/000",
            "tile/1/001.p/1",
            "tile/2/000.p/1",
            "tile/entries/257.p/44",
        ] {
            assert!(paths.contains(&path.to_string()), "{path}");
        }
        assert_eq!(tiles.len(), 2 * 258 + 2 + 1);
        assert!(tiles_of(0).is_empty());
    }

    #[test]
    fn a_level_one_hash_is_the_root_of_its_256_leaves() {
        let leaves: Vec<Hash> = (0..600u32)
            .map(|n| merkle::leaf_hash(&n.to_be_bytes()))
            .collect();
        let tree = MerkleTree::from_leaf_hashes(leaves.clone());
        let tile = Tile {
            level: Some(1),
            index: 0,
            width: 2,
        };
        let bytes = tile_hashes(&tree, &tile).unwrap();
        assert_eq!(&bytes[32..], merkle::root(&leaves[256..512]));
        assert_eq!(tile_hashes(&tree, &Tile { width: 3, ..tile }), None);
        let entries: Vec<Vec<u8>> = vec![b"a".to_vec(), vec![], b"ccc".to_vec()];
        let bundle = entry_bundle(entries.iter().map(Vec::as_slice)).unwrap();
        let edge = Tile {
            level: None,
            index: 0,
            width: 3,
        };
        assert_eq!(read_entry_bundle(&edge, &bundle), Some(entries));
        assert_eq!(read_entry_bundle(&edge, &bundle[..bundle.len() - 1]), None);
    }
}
