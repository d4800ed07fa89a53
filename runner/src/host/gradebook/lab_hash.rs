//! Which labs a gradebook was graded with: a hash of the lab files' text, so
//! `--resume` never mixes grades from an edited lab with new ones and
//! `runner merge` refuses shards graded against different labs.
//!
//! FNV-1a (64 bits): it only has to notice an edit, not resist a forger (the
//! labs and the gradebook are the instructor's own files), and it needs no
//! dependency. Its output is fixed by its definition, unlike std's hasher.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// `fnv1a64:` and 16 hex digits over every lab's text, in the order given
/// (each text's length first, so two files never read as one).
pub(crate) fn lab_hash<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for text in texts {
        eat(&(text.len() as u64).to_le_bytes());
        eat(text.as_bytes());
    }
    format!("fnv1a64:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::lab_hash;

    #[test]
    fn the_hash_follows_every_byte_and_the_boundaries() {
        assert_eq!(lab_hash([""]), lab_hash([""]));
        assert_ne!(lab_hash(["ab", "c"]), lab_hash(["a", "bc"]));
        assert_ne!(lab_hash(["points = 2"]), lab_hash(["points = 3"]));
        // FNV-1a of the empty input is its offset basis: the definition, not an accident.
        assert_eq!(lab_hash([]), "fnv1a64:cbf29ce484222325");
    }
}
