//! Minimum-cost maximum flow by successive shortest paths (Dijkstra with Johnson potentials).
//! Small and exact; the rotation planner's networks have a few thousand arcs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) struct FlowNetwork {
    arcs_from: Vec<Vec<usize>>,
    head: Vec<usize>,
    residual: Vec<i64>,
    cost: Vec<i64>,
}

impl FlowNetwork {
    pub(crate) fn new(nodes: usize) -> FlowNetwork {
        FlowNetwork {
            arcs_from: vec![Vec::new(); nodes],
            head: Vec::new(),
            residual: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// Adds an arc and its reverse (at `id ^ 1`); returns the arc's id. Costs must be non-negative.
    pub(crate) fn add_arc(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        debug_assert!(cost >= 0 && capacity >= 0);
        let id = self.head.len();
        for (tail, head, capacity, cost) in [(from, to, capacity, cost), (to, from, 0, -cost)] {
            self.arcs_from[tail].push(self.head.len());
            self.head.push(head);
            self.residual.push(capacity);
            self.cost.push(cost);
        }
        id
    }

    /// Flow carried by arc `id`.
    pub(crate) fn flow(&self, id: usize) -> i64 {
        self.residual[id ^ 1]
    }

    /// Pushes as much flow as possible from `source` to `sink`, and among maximum flows one of
    /// least total cost. Returns the flow value.
    pub(crate) fn min_cost_max_flow(&mut self, source: usize, sink: usize) -> i64 {
        let nodes = self.arcs_from.len();
        let mut potential = vec![0i64; nodes];
        let mut total = 0;
        loop {
            let mut distance = vec![i64::MAX; nodes];
            let mut arriving_arc = vec![usize::MAX; nodes];
            let mut queue = BinaryHeap::new();
            distance[source] = 0;
            queue.push(Reverse((0i64, source)));
            while let Some(Reverse((d, node))) = queue.pop() {
                if d > distance[node] {
                    continue;
                }
                for &arc in &self.arcs_from[node] {
                    if self.residual[arc] == 0 {
                        continue;
                    }
                    let next = self.head[arc];
                    let reduced = self.cost[arc] + potential[node] - potential[next];
                    if d + reduced < distance[next] {
                        distance[next] = d + reduced;
                        arriving_arc[next] = arc;
                        queue.push(Reverse((distance[next], next)));
                    }
                }
            }
            if distance[sink] == i64::MAX {
                return total;
            }
            for node in 0..nodes {
                if distance[node] != i64::MAX {
                    potential[node] += distance[node];
                }
            }
            let mut bottleneck = i64::MAX;
            let mut node = sink;
            while node != source {
                let arc = arriving_arc[node];
                bottleneck = bottleneck.min(self.residual[arc]);
                node = self.head[arc ^ 1];
            }
            let mut node = sink;
            while node != source {
                let arc = arriving_arc[node];
                self.residual[arc] -= bottleneck;
                self.residual[arc ^ 1] += bottleneck;
                node = self.head[arc ^ 1];
            }
            total += bottleneck;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_cheap_path_and_still_maximises_flow() {
        // source 0 → {1, 2} → sink 3; the cheap route has room for one unit only.
        let mut network = FlowNetwork::new(4);
        let cheap_in = network.add_arc(0, 1, 1, 0);
        network.add_arc(1, 3, 5, 1);
        let dear_in = network.add_arc(0, 2, 5, 0);
        network.add_arc(2, 3, 1, 10);
        assert_eq!(network.min_cost_max_flow(0, 3), 2);
        assert_eq!((network.flow(cheap_in), network.flow(dear_in)), (1, 1));
    }
}
