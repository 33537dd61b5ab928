/// A min-heap of events by (time, insertion order): equal times pop in the
/// order they were scheduled, which keeps runs deterministic.
struct EventQueue<Payload> {
    private struct Entry {
        var at: Int64
        var order: UInt64
        var payload: Payload
        func before(_ other: Entry) -> Bool { at != other.at ? at < other.at : order < other.order }
    }

    private var heap: [Entry] = []
    private var nextOrder: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ payload: Payload, at: Int64) {
        heap.append(Entry(at: at, order: nextOrder, payload: payload))
        nextOrder += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].before(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (at: Int64, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count && heap[l].before(heap[smallest]) { smallest = l }
            if r < heap.count && heap[r].before(heap[smallest]) { smallest = r }
            if smallest == i { break }
            heap.swapAt(i, smallest)
            i = smallest
        }
        return (top.at, top.payload)
    }
}
