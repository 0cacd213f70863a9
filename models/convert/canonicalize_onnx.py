"""Make a tf2onnx output byte-reproducible.

tf2onnx 1.17.0 walks sets of Python objects while optimising, so two runs on the
same .tflite give the same computation but not the same bytes:
  * constants it creates are numbered in a run-dependent order
    ("const_fold_opt__417" in one run, "const_fold_opt__391" in the next);
  * when it merges duplicated nodes (e.g. the three identical MaxPool layers of
    face_landmark.tflite), which of the duplicates' names survives varies.
This script rewrites the graph into a canonical form that depends only on its
structure:
  * nodes are topologically sorted, ties broken by a structural signature
    (op type, attributes, and recursively the signatures of their inputs;
    initializers by content);
  * every node is renamed "<OpType>_<index>", every intermediate tensor after
    the node that makes it, every initializer "const_<k>" in order of first use.
Graph input and output names are kept. Operators, attributes, weights and the
wiring are unchanged, so the model computes exactly the same thing.

Usage: python canonicalize_onnx.py MODEL.onnx   (rewritten in place)
"""

import hashlib
import heapq
import sys

import onnx
from onnx import numpy_helper


def _h(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.digest()


def canonicalize(model: onnx.ModelProto) -> None:
    g = model.graph
    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in g.node for a in n.attribute):
        raise SystemExit("subgraphs are not handled")

    inits = {t.name: t for t in g.initializer}
    graph_inputs = {v.name for v in g.input}
    graph_outputs = {v.name for v in g.output}
    producer = {}
    for i, n in enumerate(g.node):
        for k, out in enumerate(n.output):
            producer[out] = (i, k)

    # Structural signatures. tf2onnx emits nodes in a topological order, so one pass works.
    tensor_sig: dict[str, bytes] = {"": b"absent"}
    for name in graph_inputs:
        tensor_sig[name] = _h(b"input", name.encode())
    for name, t in inits.items():
        arr = numpy_helper.to_array(t)
        tensor_sig[name] = _h(b"init", str(arr.dtype).encode(), repr(arr.shape).encode(), arr.tobytes())
    node_sig: list[bytes] = []
    for n in g.node:
        attrs = sorted(a.SerializeToString(deterministic=True) for a in n.attribute)
        try:
            ins = [tensor_sig[x] for x in n.input]
        except KeyError as e:
            raise SystemExit(f"node {n.name} reads {e} before it is produced") from None
        s = _h(n.op_type.encode(), n.domain.encode(), *attrs, b"|", *ins)
        node_sig.append(s)
        for k, out in enumerate(n.output):
            tensor_sig[out] = _h(s, str(k).encode())
    if len(set(node_sig)) != len(node_sig):
        raise SystemExit("structurally identical nodes left in the graph; order would be ambiguous")

    # Topological sort, ready nodes taken by signature.
    consumers: dict[int, list[int]] = {i: [] for i in range(len(g.node))}
    indeg = [0] * len(g.node)
    for i, n in enumerate(g.node):
        deps = {producer[x][0] for x in n.input if x in producer}
        indeg[i] = len(deps)
        for d in deps:
            consumers[d].append(i)
    ready = [(node_sig[i], i) for i in range(len(g.node)) if indeg[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for c in consumers[i]:
            indeg[c] -= 1
            if indeg[c] == 0:
                heapq.heappush(ready, (node_sig[c], c))
    assert len(order) == len(g.node)

    # New names.
    rename: dict[str, str] = {}
    nodes = []
    init_order: list[str] = []
    for new_i, i in enumerate(order):
        n = onnx.NodeProto()
        n.CopyFrom(g.node[i])
        n.name = f"{n.op_type}_{new_i}"
        for x in n.input:
            if x in inits and x not in rename:
                rename[x] = f"const_{len(init_order)}"
                init_order.append(x)
        for k, out in enumerate(n.output):
            if out and out not in graph_outputs:
                rename[out] = n.name if len(n.output) == 1 else f"{n.name}:{k}"
        nodes.append(n)
    if set(inits) - set(init_order):
        raise SystemExit("unused initializers")
    taken = graph_inputs | graph_outputs
    if taken & set(rename.values()):
        raise SystemExit("new names clash with graph input/output names")

    for n in nodes:
        for j, x in enumerate(n.input):
            n.input[j] = rename.get(x, x)
        for j, x in enumerate(n.output):
            n.output[j] = rename.get(x, x)
    new_inits = []
    for name in init_order:
        t = onnx.TensorProto()
        t.CopyFrom(inits[name])
        t.name = rename[name]
        new_inits.append(t)
    value_info = []
    for vi in g.value_info:
        v = onnx.ValueInfoProto()
        v.CopyFrom(vi)
        v.name = rename.get(v.name, v.name)
        value_info.append(v)
    value_info.sort(key=lambda v: v.name)

    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    del g.value_info[:]
    g.value_info.extend(value_info)


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    path = sys.argv[1]
    model = onnx.load(path)
    canonicalize(model)
    onnx.checker.check_model(model, full_check=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))
    print(f"{path}: canonicalized ({len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers)")


if __name__ == "__main__":
    main()
