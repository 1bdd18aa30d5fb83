//! Merging candidates that name the same vulnerability (union-find over their ids).

#[allow(unused_imports)]
use crate::*;

/// Group candidates that share any id (union-find over their keys).
pub(crate) fn merge(candidates: Vec<Candidate>) -> Vec<Vec<Candidate>> {
    let n = candidates.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        for k in &c.keys {
            match owner.get(k.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                    }
                }
                None => {
                    owner.insert(k, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    for (c, root) in candidates.into_iter().zip(roots) {
        groups.entry(root).or_default().push(c);
    }
    groups.into_values().collect()
}
