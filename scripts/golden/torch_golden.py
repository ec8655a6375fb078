#!/usr/bin/python3
"""Golden values from PyTorch for whole-model tests (run with Debian's /usr/bin/python3 + python3-torch).

For each case: a small network with given initial weights, a few batches, and the optimizer; records the loss
of each step (before its update) and the weights after the last step. neurite's backends must reproduce them.
Writes test/fixtures/golden/torch-golden.json. Weights are stored as neurite lays them out: kernel [in, units].
"""
import json
import math
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)  # the golden values are exact to float64; backends run float32


def make_case(name, sizes, activations, loss, optimizer, steps=5, batch=8, l2=0.0, alpha=0.3, seed=0):
    g = torch.Generator().manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.randn(sizes[i + 1], sizes[i], generator=g) * 0.5)
            lin.bias.copy_(torch.randn(sizes[i + 1], generator=g) * 0.1)
        layers.append(lin)
    params = [p for lin in layers for p in (lin.weight, lin.bias)]
    init = [p.detach().clone() for p in params]

    def act(name, z):
        return {
            'linear': lambda t: t,
            'relu': torch.relu,
            'leakyRelu': lambda t: torch.nn.functional.leaky_relu(t, alpha),
            'sigmoid': torch.sigmoid,
            'tanh': torch.tanh,
            'softmax': lambda t: torch.softmax(t, dim=1),
            'gelu': torch.nn.functional.gelu,  # the exact erf form (approximate='none')
            'swish': torch.nn.functional.silu,
            'silu': torch.nn.functional.silu,  # neurite's alias of swish
            'elu': torch.nn.functional.elu,
            'selu': torch.nn.functional.selu,
            'softplus': torch.nn.functional.softplus,  # its threshold (20) is far above these pre-activations
            'softsign': torch.nn.functional.softsign,
            'mish': torch.nn.functional.mish,
        }[name](z)

    def forward(x):
        h = x
        for lin, a in zip(layers[:-1], activations[:-1]):
            h = act(a, lin(h))
        return layers[-1](h)  # last pre-activation

    out = sizes[-1]
    xs, ys = [], []
    for s in range(steps):
        x = torch.randn(batch, sizes[0], generator=g)
        if loss == 'categoricalCrossentropy':
            labels = torch.randint(0, out, (batch,), generator=g)
            y = torch.nn.functional.one_hot(labels, out).double()
        elif loss == 'sparseCategoricalCrossentropy':
            y = torch.randint(0, out, (batch,), generator=g).double()
        elif loss == 'binaryCrossentropy':
            y = (torch.rand(batch, out, generator=g) > 0.5).double()
        else:
            y = torch.randn(batch, out, generator=g)
        xs.append(x)
        ys.append(y)

    kind = optimizer['kind']
    lr = optimizer['learningRate']
    if kind == 'sgd':
        opt = torch.optim.SGD(params, lr=lr, momentum=optimizer['momentum'], nesterov=optimizer['nesterov'])
    elif kind == 'adam':
        opt = torch.optim.Adam(params, lr=lr, betas=(optimizer['beta1'], optimizer['beta2']), eps=optimizer['epsilon'])
    elif kind == 'adamw':
        opt = torch.optim.AdamW(params, lr=lr, betas=(optimizer['beta1'], optimizer['beta2']), eps=optimizer['epsilon'],
                                weight_decay=optimizer['weightDecay'])
    elif kind == 'rmsprop':
        opt = torch.optim.RMSprop(params, lr=lr, alpha=optimizer['rho'], eps=optimizer['epsilon'], momentum=optimizer['momentum'])
    losses = []
    for x, y in zip(xs, ys):
        opt.zero_grad()
        z = forward(x)
        if loss == 'categoricalCrossentropy':
            l = -(y * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
        elif loss == 'sparseCategoricalCrossentropy':
            l = torch.nn.functional.cross_entropy(z, y.long())
        elif loss == 'binaryCrossentropy':
            l = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
        else:
            l = ((act(activations[-1], z) - y) ** 2).mean()
        if l2 > 0:
            l = l + l2 * sum((lin.weight ** 2).sum() for lin in layers)
        losses.append(l.item())
        l.backward()
        opt.step()

    def neurite_layout(ps):
        out = []
        for i, p in enumerate(ps):
            t = p.detach()
            out.append({'shape': list(t.T.shape) if i % 2 == 0 else list(t.shape),
                        'data': (t.T if i % 2 == 0 else t).reshape(-1).tolist()})
        return out

    with torch.no_grad():
        final_out = act(activations[-1], forward(xs[0])).reshape(-1).tolist()
    return {
        'name': name, 'sizes': sizes, 'activations': activations, 'alpha': alpha, 'loss': loss, 'l2': l2,
        'optimizer': optimizer,
        'initialWeights': neurite_layout(init),
        'batches': [{'x': x.reshape(-1).tolist(), 'y': y.reshape(-1).tolist(), 'count': batch} for x, y in zip(xs, ys)],
        'losses': losses,
        'finalWeights': neurite_layout(params),
        'finalOutputsOnFirstBatch': final_out,
    }


sgd = lambda lr, m=0.0, n=False: {'kind': 'sgd', 'learningRate': lr, 'momentum': m, 'nesterov': n}
adam = {'kind': 'adam', 'learningRate': 0.01, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-7}
adamw = {'kind': 'adamw', 'learningRate': 0.01, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-7, 'weightDecay': 0.05}
rms = {'kind': 'rmsprop', 'learningRate': 0.01, 'rho': 0.9, 'momentum': 0.0, 'epsilon': 1e-7}
rms_m = {'kind': 'rmsprop', 'learningRate': 0.005, 'rho': 0.9, 'momentum': 0.5, 'epsilon': 1e-7}

cases = [
    # the Foundation issue's contract network
    make_case('contract 5-7-4 relu/softmax, sgd momentum 0.9', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy', sgd(0.5, 0.9), seed=1),
    make_case('nesterov, tanh, sparse CE', [6, 9, 3], ['tanh', 'softmax'], 'sparseCategoricalCrossentropy', sgd(0.1, 0.9, True), seed=2),
    make_case('adam, 3 layers, leakyRelu', [4, 13, 7, 3], ['leakyRelu', 'relu', 'softmax'], 'categoricalCrossentropy', adam, seed=3),
    make_case('adamw, sigmoid + binary CE', [3, 8, 2], ['relu', 'sigmoid'], 'binaryCrossentropy', adamw, seed=4),
    make_case('rmsprop, MSE regression', [2, 16, 1], ['tanh', 'linear'], 'meanSquaredError', rms, seed=5),
    make_case('rmsprop momentum, MSE on sigmoid', [3, 5, 2], ['sigmoid', 'sigmoid'], 'meanSquaredError', rms_m, seed=6),
    make_case('plain sgd with l2', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy', sgd(0.2), l2=0.01, seed=7),
    make_case('MSE through softmax', [4, 6, 3], ['relu', 'softmax'], 'meanSquaredError', sgd(0.5, 0.5), seed=8),
    # the activations of issue 11, hidden and (for MSE) on the output too
    make_case('gelu, adam, CE', [5, 9, 3], ['gelu', 'softmax'], 'categoricalCrossentropy', adam, seed=9),
    make_case('swish, sgd momentum, MSE on swish', [4, 7, 2], ['swish', 'swish'], 'meanSquaredError', sgd(0.1, 0.9), seed=10),
    make_case('silu alias, rmsprop, sparse CE', [4, 7, 3], ['silu', 'softmax'], 'sparseCategoricalCrossentropy', rms, seed=11),
    make_case('elu, adamw, binary CE', [3, 8, 2], ['elu', 'sigmoid'], 'binaryCrossentropy', adamw, seed=12),
    make_case('selu, 3 layers, sgd', [4, 11, 6, 3], ['selu', 'selu', 'softmax'], 'categoricalCrossentropy', sgd(0.2), seed=13),
    make_case('softplus, adam, MSE on softplus', [3, 9, 2], ['softplus', 'softplus'], 'meanSquaredError', adam, seed=14),
    make_case('softsign, rmsprop momentum, MSE', [5, 8, 2], ['softsign', 'softsign'], 'meanSquaredError', rms_m, seed=15),
    make_case('mish and gelu, adam, l2, CE', [4, 10, 7, 3], ['mish', 'gelu', 'softmax'], 'categoricalCrossentropy', adam, l2=0.01, seed=16),
]

with open('test/fixtures/golden/torch-golden.json', 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__}, float64', 'cases': cases}, f)
print(f'wrote {len(cases)} cases')
