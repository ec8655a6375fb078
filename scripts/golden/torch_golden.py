#!/usr/bin/python3
"""Golden values from PyTorch for whole-model tests (run with Debian's /usr/bin/python3 + python3-torch).

For each case: a small network with given initial weights, a few batches, and the optimizer; records the loss
of each step (before its update) and the weights after the last step. neurite's backends must reproduce them.
Writes test/fixtures/golden/torch-golden.json. Weights are stored as neurite lays them out: kernel [in, units].

Gradient clipping, Nadam, Adagrad and per-step learning-rate schedules follow Keras 3, whose formulas PyTorch
does not all share, so those parts are written out here in float64 (KerasNadam, KerasAdagrad, clip, keras_lr):
- clipValue is torch.nn.utils.clip_grad_value_. clipNorm / globalClipNorm scale by c/max(norm, c) (Keras,
  tf.clip_by_global_norm); torch's clip_grad_norm_ uses c/(norm + 1e-6), 1e-6/norm apart: the script checks that
  clip_grad_norm_ agrees to that, and keeps Keras's exact form.
- Nadam: Keras's momentum schedule u_t = beta1(1 - 0.5*0.96^t); torch.optim.NAdam uses 0.96^(0.004 t), and
  torch 1.13 multiplies mu_t into the next product twice, so torch's NAdam is not Keras's at any setting.
- Adagrad: Keras divides by sqrt(acc + eps); torch by sqrt(acc) + eps. The accumulator starts at
  initial_accumulator_value in both.
- SGD with momentum under a changing rate: Keras's v = mu*v - lr*g is not torch's buf = mu*buf + g (KerasSgd).
"""
import json
import math
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)  # the golden values are exact to float64; backends run float32


def row_loss(loss, a, z, y, delta):
    """l_i of each row, as Keras weighs them: the row's mean over its outputs for the elementwise losses."""
    F = torch.nn.functional
    if loss == 'categoricalCrossentropy':
        return -(y * torch.log_softmax(z, dim=1)).sum(dim=1)
    if loss == 'sparseCategoricalCrossentropy':
        return F.cross_entropy(z, y.long(), reduction='none')
    if loss == 'binaryCrossentropy':
        return F.binary_cross_entropy_with_logits(z, y, reduction='none').mean(dim=1)
    if loss == 'meanAbsoluteError':
        return F.l1_loss(a, y, reduction='none').mean(dim=1)
    if loss == 'huber':
        return F.huber_loss(a, y, reduction='none', delta=delta).mean(dim=1)
    return F.mse_loss(a, y, reduction='none').mean(dim=1)


def row_classes(loss, y):
    if loss == 'sparseCategoricalCrossentropy':
        return y.long()
    if loss == 'binaryCrossentropy':
        return y[:, 0].long()  # one sigmoid unit: the 0/1 target is the class
    return y.argmax(dim=1)


def keras_lr(optimizer, step):
    """The learning rate of the update after `step` steps (Keras calls its schedule with optimizer.iterations)."""
    s = optimizer.get('stepSchedule')
    lr = optimizer['learningRate']
    if s is None:
        return lr
    if s['kind'] == 'cosineDecay':
        def decay(st, start):
            return start * ((1 - s['alpha']) * 0.5 * (1 + math.cos(math.pi * st / s['decaySteps'])) + s['alpha'])
        if 'warmupTarget' not in s:
            return decay(min(step, s['decaySteps']), lr)
        st = min(step, s['decaySteps'] + s['warmupSteps'])
        if st < s['warmupSteps']:
            return (s['warmupTarget'] - lr) * (st / s['warmupSteps']) + lr
        return decay(st - s['warmupSteps'], s['warmupTarget'])
    if s['kind'] == 'exponentialDecay':
        p = step / s['decaySteps']
        return lr * s['decayRate'] ** (math.floor(p) if s['staircase'] else p)
    if s['kind'] == 'piecewiseConstant':
        for b, v in zip(s['boundaries'], s['values']):
            if step <= b:
                return v
        return s['values'][-1]
    raise ValueError(s['kind'])


class KerasOptimizer:
    def zero_grad(self):
        for p in self.params:
            p.grad = None


class KerasNadam(KerasOptimizer):
    """keras/src/optimizers/nadam.py in float64."""

    def __init__(self, params, beta1, beta2, epsilon):
        self.params, self.b1, self.b2, self.eps = params, beta1, beta2, epsilon
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.u_product, self.t = 1.0, 0

    def step(self, lr):
        self.t += 1
        t = self.t
        u_t = self.b1 * (1 - 0.5 * 0.96 ** t)
        u_next = self.b1 * (1 - 0.5 * 0.96 ** (t + 1))
        self.u_product *= u_t
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                g = p.grad
                m += (g - m) * (1 - self.b1)
                v += (g * g - v) * (1 - self.b2)
                m_hat = u_next * m / (1 - self.u_product * u_next) + (1 - u_t) * g / (1 - self.u_product)
                v_hat = v / (1 - self.b2 ** t)
                p -= m_hat * lr / (v_hat.sqrt() + self.eps)


class KerasSgd(KerasOptimizer):
    """Keras's SGD momentum form, v = mu*v - lr*g; w += v (nesterov: w += mu*v - lr*g). torch's buf = mu*buf + g;
    w -= lr*buf is the same only while lr stays constant, so cases with a schedule use this one."""

    def __init__(self, params, momentum, nesterov):
        self.params, self.mu, self.nesterov = params, momentum, nesterov
        self.v = [torch.zeros_like(p) for p in params]

    def step(self, lr):
        with torch.no_grad():
            for p, v in zip(self.params, self.v):
                v.mul_(self.mu).sub_(lr * p.grad)
                p += self.mu * v - lr * p.grad if self.nesterov else v


class KerasAdagrad(KerasOptimizer):
    """keras/src/optimizers/adagrad.py in float64."""

    def __init__(self, params, initial, epsilon):
        self.params, self.eps = params, epsilon
        self.acc = [torch.full_like(p, initial) for p in params]

    def step(self, lr):
        with torch.no_grad():
            for p, a in zip(self.params, self.acc):
                a += p.grad * p.grad
                p -= lr * p.grad / (a + self.eps).sqrt()


def clip(optimizer, params):
    """Keras's clipvalue / clipnorm / global_clipnorm on the gradients (L2 term included), before the update."""
    if optimizer.get('clipValue'):
        torch.nn.utils.clip_grad_value_(params, optimizer['clipValue'])
    elif optimizer.get('clipNorm'):
        c = optimizer['clipNorm']
        for p in params:
            norm = p.grad.norm().item()
            want = p.grad * (c / max(norm, c))
            torch.nn.utils.clip_grad_norm_([p], c)
            assert torch.allclose(p.grad, want, rtol=1e-6 / c, atol=0), 'clip_grad_norm_ differs beyond its 1e-6'
            p.grad.copy_(want)
    elif optimizer.get('globalClipNorm'):
        c = optimizer['globalClipNorm']
        norm = math.sqrt(sum((p.grad ** 2).sum().item() for p in params))
        want = [p.grad * (c / max(norm, c)) for p in params]
        torch.nn.utils.clip_grad_norm_(params, c)
        for p, w in zip(params, want):
            assert torch.allclose(p.grad, w, rtol=1e-6 / c, atol=0), 'clip_grad_norm_ differs beyond its 1e-6'
            p.grad.copy_(w)


def make_case(name, sizes, activations, loss, optimizer, steps=5, batch=8, l2=0.0, alpha=0.3, seed=0,
              delta=None, sample_weights=False, class_weight=None):
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
    # Keras's weighting: batch loss = Σ w_i·l_i / N (N rows, not Σ w); w_i = sample weight × class weight.
    ws = []
    if sample_weights or class_weight is not None:
        for s in range(steps):
            w = torch.rand(batch, generator=g) * 2 if sample_weights else torch.ones(batch)
            if sample_weights:
                w[s % batch] = 0.0  # a row that does not count
            if class_weight is not None:
                w = w * torch.tensor([class_weight[c] for c in row_classes(loss, ys[s]).tolist()])
            ws.append(w)

    kind = optimizer['kind']
    lr = optimizer['learningRate']
    if kind == 'sgd' and 'stepSchedule' in optimizer:
        opt = KerasSgd(params, optimizer['momentum'], optimizer['nesterov'])
    elif kind == 'sgd':
        opt = torch.optim.SGD(params, lr=lr, momentum=optimizer['momentum'], nesterov=optimizer['nesterov'])
    elif kind == 'adam':
        opt = torch.optim.Adam(params, lr=lr, betas=(optimizer['beta1'], optimizer['beta2']), eps=optimizer['epsilon'])
    elif kind == 'adamw':
        opt = torch.optim.AdamW(params, lr=lr, betas=(optimizer['beta1'], optimizer['beta2']), eps=optimizer['epsilon'],
                                weight_decay=optimizer['weightDecay'])
    elif kind == 'rmsprop':
        opt = torch.optim.RMSprop(params, lr=lr, alpha=optimizer['rho'], eps=optimizer['epsilon'], momentum=optimizer['momentum'])
    elif kind == 'nadam':
        opt = KerasNadam(params, optimizer['beta1'], optimizer['beta2'], optimizer['epsilon'])
    elif kind == 'adagrad':
        opt = KerasAdagrad(params, optimizer['initialAccumulatorValue'], optimizer['epsilon'])
    clipped = []  # per step: did a clip change the gradients (so that the case tests something)
    losses = []
    for step, (x, y) in enumerate(zip(xs, ys)):
        opt.zero_grad()
        z = forward(x)
        if ws or loss in ('meanAbsoluteError', 'huber'):
            rows = row_loss(loss, act(activations[-1], z), z, y, delta if delta is not None else 1.0)
            l = (ws[step] * rows).sum() / batch if ws else rows.mean()
        elif loss == 'categoricalCrossentropy':
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
        before = [p.grad.clone() for p in params]
        clip(optimizer, params)
        clipped.append(any(not torch.equal(b, p.grad) for b, p in zip(before, params)))
        step_lr = keras_lr(optimizer, len(losses) - 1)
        if isinstance(opt, KerasOptimizer):
            opt.step(step_lr)
        else:
            for group in opt.param_groups:
                group['lr'] = step_lr
            opt.step()
    if any(optimizer.get(k) for k in ('clipValue', 'clipNorm', 'globalClipNorm')):
        assert all(clipped), f'{name}: the clip does not bite at every step ({clipped})' 

    def neurite_layout(ps):
        out = []
        for i, p in enumerate(ps):
            t = p.detach()
            out.append({'shape': list(t.T.shape) if i % 2 == 0 else list(t.shape),
                        'data': (t.T if i % 2 == 0 else t).reshape(-1).tolist()})
        return out

    with torch.no_grad():
        final_out = act(activations[-1], forward(xs[0])).reshape(-1).tolist()
    extra = {}
    if delta is not None:
        extra['delta'] = delta
    if sample_weights:
        extra['sampleWeights'] = [(w / torch.tensor([class_weight[c] for c in row_classes(loss, y).tolist()])
                                   if class_weight is not None else w).tolist() for w, y in zip(ws, ys)]
    if class_weight is not None:
        extra['classWeight'] = {str(k): v for k, v in class_weight.items()}
    return {
        'name': name, 'sizes': sizes, 'activations': activations, 'alpha': alpha, 'loss': loss, 'l2': l2,
        'optimizer': optimizer, **extra,
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
    # losses: mean absolute error and Huber (PyTorch's huber_loss: ½d² inside delta, delta·(|d| − ½delta) beyond)
    make_case('MAE regression, adam', [3, 8, 2], ['tanh', 'linear'], 'meanAbsoluteError', adam, seed=20),
    make_case('huber delta 1, sgd momentum', [3, 8, 2], ['relu', 'linear'], 'huber', sgd(0.1, 0.9), seed=21),
    make_case('huber delta 0.3, rmsprop, l2', [4, 6, 3], ['tanh', 'linear'], 'huber', rms, l2=0.01, delta=0.3, seed=22),
    # weighting (Keras semantics, Σ w_i·l_i / N)
    make_case('sampleWeight, categorical CE, adam', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy', adam,
              sample_weights=True, seed=23),
    make_case('sampleWeight, MSE (row mean), sgd', [3, 6, 2], ['tanh', 'linear'], 'meanSquaredError', sgd(0.2),
              sample_weights=True, seed=24),
    make_case('sampleWeight, huber 0.5', [3, 6, 2], ['tanh', 'linear'], 'huber', sgd(0.2), delta=0.5,
              sample_weights=True, seed=25),
    make_case('sampleWeight, binary CE on 2 outputs', [3, 8, 2], ['relu', 'sigmoid'], 'binaryCrossentropy', adamw,
              sample_weights=True, seed=26),
    make_case('classWeight, sparse CE', [6, 9, 3], ['tanh', 'softmax'], 'sparseCategoricalCrossentropy', sgd(0.1, 0.9),
              class_weight={0: 0.5, 1: 2.0, 2: 1.5}, seed=27),
    make_case('classWeight and sampleWeight, one-hot CE', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy', adam,
              sample_weights=True, class_weight={0: 1.0, 1: 3.0, 2: 0.25, 3: 2.0}, seed=28),
    make_case('classWeight, one sigmoid unit', [4, 6, 1], ['tanh', 'sigmoid'], 'binaryCrossentropy', sgd(0.5),
              class_weight={0: 1.0, 1: 4.0}, seed=29),
    # gradient clipping (Keras semantics), on the gradient with its L2 term
    make_case('sgd momentum, clipValue', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy', {**sgd(0.5, 0.9), 'clipValue': 0.05}, seed=9),
    make_case('adam, clipNorm per tensor, l2', [4, 13, 7, 3], ['tanh', 'relu', 'softmax'], 'sparseCategoricalCrossentropy',
              {**adam, 'clipNorm': 0.1}, l2=0.01, seed=10),
    make_case('rmsprop, globalClipNorm, MSE', [3, 9, 2], ['tanh', 'linear'], 'meanSquaredError', {**rms, 'globalClipNorm': 0.3}, seed=11),
    # Keras's Nadam and Adagrad (formulas above), Keras's defaults except the rate
    make_case('nadam (Keras formula), 3 layers', [4, 13, 7, 3], ['leakyRelu', 'relu', 'softmax'], 'categoricalCrossentropy',
              {'kind': 'nadam', 'learningRate': 0.01, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-7}, steps=7, seed=12),
    make_case('adagrad (Keras formula), binary CE', [3, 8, 2], ['relu', 'sigmoid'], 'binaryCrossentropy',
              {'kind': 'adagrad', 'learningRate': 0.05, 'initialAccumulatorValue': 0.1, 'epsilon': 1e-7}, seed=13),
    # per-step schedules (Keras's LearningRateSchedule formulas), one with a clip on top
    make_case('sgd on cosineDecay with warmup', [5, 7, 4], ['relu', 'softmax'], 'categoricalCrossentropy',
              {**sgd(0.05, 0.9), 'stepSchedule': {'kind': 'cosineDecay', 'decaySteps': 4, 'alpha': 0.1, 'warmupSteps': 2, 'warmupTarget': 0.5}},
              steps=8, seed=14),
    make_case('nadam on exponentialDecay staircase, globalClipNorm', [4, 6, 3], ['tanh', 'softmax'], 'sparseCategoricalCrossentropy',
              {'kind': 'nadam', 'learningRate': 0.05, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-7, 'globalClipNorm': 0.5,
               'stepSchedule': {'kind': 'exponentialDecay', 'decaySteps': 2, 'decayRate': 0.5, 'staircase': True}}, steps=6, seed=15),
    make_case('adagrad on piecewiseConstant', [2, 16, 1], ['tanh', 'linear'], 'meanSquaredError',
              {'kind': 'adagrad', 'learningRate': 0.1, 'initialAccumulatorValue': 0.1, 'epsilon': 1e-7,
               'stepSchedule': {'kind': 'piecewiseConstant', 'boundaries': [1, 3], 'values': [0.1, 0.05, 0.01]}}, seed=16),
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
