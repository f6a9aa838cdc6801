//! The ledger's Merkle tree, exactly as RFC 6962 §2.1 / RFC 9162 §2.1 define it:
//! leaf hash SHA-256(0x00 ‖ leaf), node hash SHA-256(0x01 ‖ left ‖ right), the empty tree's hash
//! SHA-256(""), and for n > 1 leaves the split at the largest power of two below n.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(leaf);
    hasher.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly below `n` (n ≥ 2): RFC 6962's split point.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The root of a list of leaf hashes, computed level by level: pairing neighbours and carrying a
/// lone last node up unchanged gives exactly RFC 6962's tree, without recursion.
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let mut level: Vec<Hash> = pair_up(leaf_hashes);
            while level.len() > 1 {
                let next = pair_up(&level);
                level = next;
            }
            level[0]
        }
    }
}

fn pair_up(level: &[Hash]) -> Vec<Hash> {
    level
        .chunks(2)
        .map(|pair| match pair {
            [left, right] => node_hash(left, right),
            [lone] => *lone,
            _ => unreachable!("chunks of two"),
        })
        .collect()
}

/// An append-only tree that keeps every complete subtree, so the root of any earlier size and
/// inclusion and consistency proofs cost O(log² n) hashes instead of rehashing the log.
#[derive(Clone, Debug, Default)]
pub struct MerkleTree {
    /// `levels[k][i]` is the hash of leaves `i·2^k .. (i+1)·2^k`; only complete subtrees are kept.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    pub fn from_leaf_hashes(leaf_hashes: Vec<Hash>) -> MerkleTree {
        let mut levels = vec![leaf_hashes];
        while levels.last().is_some_and(|level| level.len() > 1) {
            let below = levels.last().expect("non-empty");
            let above = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        MerkleTree { levels }
    }

    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn leaf_hashes(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// The hashes of the complete subtrees of 2^height leaves, left to right (a tile's row).
    pub fn complete_subtrees(&self, height: usize) -> &[Hash] {
        self.levels.get(height).map_or(&[], Vec::as_slice)
    }

    pub fn push(&mut self, leaf_hash: Hash) {
        let mut carry = leaf_hash;
        let mut height = 0;
        loop {
            if self.levels.len() == height {
                self.levels.push(Vec::new());
            }
            let level = &mut self.levels[height];
            level.push(carry);
            if level.len() % 2 == 1 {
                return;
            }
            carry = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            height += 1;
        }
    }

    pub fn root(&self) -> Hash {
        self.subtree(0, self.len())
    }

    /// The root the tree had when it held `size` leaves.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        (size <= self.len()).then(|| self.subtree(0, size))
    }

    /// RFC 6962 PATH(index, D[0:size]): sibling hashes from the leaf up.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        if index >= size || size > self.len() {
            return None;
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Some(proof)
    }

    /// RFC 6962 PROOF(old_size, D[0:new_size]); empty when old_size is 0 or equals new_size.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Option<Vec<Hash>> {
        if old_size > new_size || new_size > self.len() {
            return None;
        }
        let mut proof = Vec::new();
        if old_size > 0 && old_size < new_size {
            self.subproof(old_size, 0, new_size, true, &mut proof);
        }
        Some(proof)
    }

    /// MTH(D[start:end]). In RFC 6962's recursion every left part is a complete subtree aligned
    /// to its size, so it is read from `levels`; only the right spine is hashed.
    fn subtree(&self, start: u64, end: u64) -> Hash {
        let size = end - start;
        if size == 0 {
            return empty_root();
        }
        if size.is_power_of_two() && start.is_multiple_of(size) {
            let height = size.trailing_zeros() as usize;
            return self.levels[height][(start / size) as usize];
        }
        let k = split_point(size);
        node_hash(
            &self.subtree(start, start + k),
            &self.subtree(start + k, end),
        )
    }

    fn path(&self, index: u64, start: u64, end: u64, proof: &mut Vec<Hash>) {
        let size = end - start;
        if size <= 1 {
            return;
        }
        let k = split_point(size);
        if index < k {
            self.path(index, start, start + k, proof);
            proof.push(self.subtree(start + k, end));
        } else {
            self.path(index - k, start + k, end, proof);
            proof.push(self.subtree(start, start + k));
        }
    }

    fn subproof(
        &self,
        old_size: u64,
        start: u64,
        end: u64,
        old_is_whole_left: bool,
        proof: &mut Vec<Hash>,
    ) {
        let size = end - start;
        if old_size == size {
            if !old_is_whole_left {
                proof.push(self.subtree(start, end));
            }
            return;
        }
        let k = split_point(size);
        if old_size <= k {
            self.subproof(old_size, start, start + k, old_is_whole_left, proof);
            proof.push(self.subtree(start + k, end));
        } else {
            self.subproof(old_size - k, start + k, end, false, proof);
            proof.push(self.subtree(start, start + k));
        }
    }
}

/// The right edge of a tree: the roots of its complete subtrees, largest first (one per set bit
/// of the size). Enough to append and to compute the root in O(log n), so a store can keep it in
/// one row and sign a new head inside each allocation transaction without reading the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerkleFrontier {
    size: u64,
    peaks: Vec<Hash>,
}

impl MerkleFrontier {
    pub fn new() -> MerkleFrontier {
        MerkleFrontier::default()
    }

    pub fn len(&self) -> u64 {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    pub fn push(&mut self, leaf_hash: Hash) {
        let mut carry = leaf_hash;
        // Each trailing one bit of the old size is a complete subtree that now pairs up.
        for _ in 0..self.size.trailing_ones() {
            let left = self.peaks.pop().expect("one peak per set bit");
            carry = node_hash(&left, &carry);
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        match peaks.next() {
            None => empty_root(),
            Some(&last) => peaks.fold(last, |right, left| node_hash(left, &right)),
        }
    }

    /// Storage form: size (u64 big-endian) then the peaks, largest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.size.to_be_bytes().to_vec();
        for peak in &self.peaks {
            bytes.extend_from_slice(peak);
        }
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<MerkleFrontier> {
        let (size, peaks) = bytes.split_at_checked(8)?;
        let size = u64::from_be_bytes(size.try_into().ok()?);
        let peaks: Vec<Hash> = peaks
            .chunks(32)
            .map(|peak| peak.try_into().ok())
            .collect::<Option<_>>()?;
        (peaks.len() == size.count_ones() as usize).then_some(MerkleFrontier { size, peaks })
    }
}

/// RFC 9162 §2.1.3.2: does `proof` show leaf `index` with `leaf_hash` in the tree of `size` with `root`?
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut hash = *leaf_hash;
    for sibling in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            hash = node_hash(sibling, &hash);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && hash == *root
}

/// RFC 9162 §2.1.4.2: does `proof` show the tree of `old_size` with `old_root` is a prefix of the
/// tree of `new_size` with `new_root`?
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty() && *old_root == empty_root();
    }
    if proof.is_empty() {
        return false;
    }
    // When the old tree is a complete left subtree its root is the path's implicit first element.
    let mut path = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut old_hash, mut new_hash) = (path[0], path[0]);
    for node in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            old_hash = node_hash(node, &old_hash);
            new_hash = node_hash(node, &new_hash);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            new_hash = node_hash(&new_hash, node);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    old_hash == *old_root && new_hash == *new_root && snode == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962's definition, recursively, as a reference for the iterative code.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn iterative_roots_match_the_recursive_definition() {
        let all = leaves(70);
        let mut tree = MerkleTree::new();
        for n in 0..=70 {
            let expected = reference_root(&all[..n]);
            assert_eq!(root(&all[..n]), expected, "size {n}");
            assert_eq!(tree.root(), expected, "appended size {n}");
            assert_eq!(
                MerkleTree::from_leaf_hashes(all[..n].to_vec()).root(),
                expected,
                "built size {n}"
            );
            if n < 70 {
                tree.push(all[n]);
            }
        }
        for n in 0..=70 {
            assert_eq!(tree.root_at(n), Some(reference_root(&all[..n as usize])));
        }
        assert_eq!(tree.root_at(71), None);
    }

    #[test]
    fn every_inclusion_and_consistency_proof_of_small_trees_verifies() {
        let tree = MerkleTree::from_leaf_hashes(leaves(20));
        for size in 1..=20 {
            let root = tree.root_at(size).unwrap();
            for index in 0..size {
                let proof = tree.inclusion_proof(index, size).unwrap();
                let leaf = &tree.leaf_hashes()[index as usize];
                assert!(verify_inclusion(leaf, index, size, &proof, &root));
                if size > 1 {
                    assert!(!verify_inclusion(
                        leaf,
                        (index + 1) % size,
                        size,
                        &proof,
                        &root
                    ));
                }
            }
            for old in 0..=size {
                let proof = tree.consistency_proof(old, size).unwrap();
                let old_root = tree.root_at(old).unwrap();
                assert!(
                    verify_consistency(old, size, &old_root, &root, &proof),
                    "{old} → {size}"
                );
            }
        }
    }

    #[test]
    fn the_frontier_gives_every_root_and_survives_storage() {
        let all = leaves(130);
        let mut frontier = MerkleFrontier::new();
        for n in 0..=130 {
            assert_eq!(frontier.root(), reference_root(&all[..n]), "size {n}");
            assert_eq!(
                MerkleFrontier::from_bytes(&frontier.to_bytes()).as_ref(),
                Some(&frontier)
            );
            if n < 130 {
                frontier.push(all[n]);
            }
        }
        let mut corrupt = frontier.to_bytes();
        corrupt.pop();
        assert_eq!(MerkleFrontier::from_bytes(&corrupt), None);
    }

    #[test]
    fn empty_tree_root_is_sha256_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
