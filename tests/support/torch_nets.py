"""Real architectures written in plain PyTorch for the import oracles (no torchvision,
no downloads): the same networks are exported to ONNX and read through torch.export.

Import only after ``pytest.importorskip("torch")``.
"""

from __future__ import annotations

from typing import Any

import torch

nn = torch.nn
F = torch.nn.functional


class Residual(nn.Module):
    """A bottleneck stage with a projection shortcut, then one with an identity."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, 2, 3)
        self.pool = nn.AvgPool2d(3, 2, 1)
        self.reduce = nn.Conv2d(8, 4, 1)
        self.conv = nn.Conv2d(4, 4, 3, 2, 1)
        self.expand = nn.Conv2d(4, 16, 1)
        self.project = nn.Conv2d(8, 16, 1, 2)
        self.block = nn.Sequential(nn.Conv2d(16, 16, 3, padding=2, dilation=2), nn.ReLU())

    def forward(self, x: Any) -> Any:
        x = self.pool(F.relu(self.stem(x)))
        y = self.expand(F.relu(self.conv(F.relu(self.reduce(x))))) + self.project(x)
        return self.block(y) + y


class InvertedSE(nn.Module):
    """An inverted residual block with squeeze-and-excitation and hard-swish."""

    def __init__(self) -> None:
        super().__init__()
        self.expand = nn.Conv2d(3, 12, 1)
        self.dw = nn.Conv2d(12, 12, 5, 2, 2, groups=12)
        self.se1 = nn.Conv2d(12, 4, 1)
        self.se2 = nn.Conv2d(4, 12, 1)
        self.project = nn.Conv2d(12, 6, 1)

    def forward(self, x: Any) -> Any:
        y = F.hardswish(self.dw(F.hardswish(self.expand(x))))
        gate = F.hardsigmoid(self.se2(F.relu(self.se1(F.adaptive_avg_pool2d(y, 1)))))
        return self.project(y * gate)


class FPN(nn.Module):
    """Lateral 1x1 convs, a top-down path by nearest interpolation to the lateral's size."""

    def __init__(self) -> None:
        super().__init__()
        self.c2 = nn.Conv2d(3, 8, 3, 2, 1)
        self.c3 = nn.Conv2d(8, 8, 3, 2, 1)
        self.c4 = nn.Conv2d(8, 8, 3, 2, 1)
        self.l2, self.l3, self.l4 = nn.Conv2d(8, 4, 1), nn.Conv2d(8, 4, 1), nn.Conv2d(8, 4, 1)
        self.out = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: Any) -> Any:
        c2 = self.c2(x)
        c3 = self.c3(c2)
        c4 = self.c4(c3)
        p4 = self.l4(c4)
        p3 = self.l3(c3) + F.interpolate(p4, size=c3.shape[-2:], mode="nearest")
        p2 = self.l2(c2) + F.interpolate(p3, size=c2.shape[-2:], mode="nearest")
        return self.out(p2)


class UNet(nn.Module):
    """Encoder-decoder with a transposed conv and a bilinear resize to the skip."""

    def __init__(self) -> None:
        super().__init__()
        self.e1 = nn.Conv2d(1, 4, 3, padding=1)
        self.e2 = nn.Conv2d(4, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.up1 = nn.ConvTranspose2d(8, 8, 2, 2)
        self.d2 = nn.Conv2d(16, 4, 3, padding=1)
        self.d1 = nn.Conv2d(8, 2, 3, padding=1)

    def forward(self, x: Any) -> Any:
        e1 = self.e1(x)
        e2 = self.e2(F.avg_pool2d(e1, 2))
        b = self.b(F.avg_pool2d(e2, 2))
        d2 = self.d2(torch.cat([self.up1(b), e2], 1))
        up = F.interpolate(d2, size=e1.shape[-2:], mode="bilinear", align_corners=False)
        return self.d1(torch.cat([up, e1], 1))


class ASPP(nn.Module):
    """Dilated branches and image pooling, concatenated."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1)
        self.a1 = nn.Conv2d(8, 4, 1)
        self.a6 = nn.Conv2d(8, 4, 3, padding=6, dilation=6)
        self.pool_conv = nn.Conv2d(8, 4, 1)
        self.project = nn.Conv2d(12, 4, 1)

    def forward(self, x: Any) -> Any:
        x = self.stem(x)
        pooled = self.pool_conv(F.adaptive_avg_pool2d(x, 1))
        image = F.interpolate(pooled, size=x.shape[-2:], mode="bilinear", align_corners=False)
        return self.project(torch.cat([self.a1(x), self.a6(x), image], 1))


class TCN(nn.Module):
    """A dilated causal 1-D stack (left padding by F.pad)."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(2, 2, 3, dilation=d) for d in (1, 2, 4, 8))

    def forward(self, x: Any) -> Any:
        for conv in self.convs:
            x = x + conv(F.pad(x, (2 * conv.dilation[0], 0)))
        return x


class Conv3D(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv3d(1, 4, 3, padding=1)
        self.b = nn.Conv3d(4, 4, 3, stride=2)
        self.c = nn.Conv3d(4, 2, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, x: Any) -> Any:
        return self.c(self.b(F.avg_pool3d(self.a(x), 2)))


def positive(model: Any) -> Any:
    """Weights between 1/2 and 3/2 of 1/fan-in (seeded: channels differ, so that
    normalisations over them do not vanish), biases 0: every path carries a positive
    gradient."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.Linear)):
                spread = torch.rand(m.weight.shape, generator=generator) + 0.5
                m.weight.copy_(spread / m.weight[0].numel())
                if m.bias is not None:
                    m.bias.zero_()
    return model.eval()


class Bottleneck(nn.Module):
    """torchvision's ResNet bottleneck: the stride on the 3x3, ``out += identity``."""

    def __init__(self, cin: int, mid: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, mid * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(mid * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, mid * 4, 1, stride, bias=False), nn.BatchNorm2d(mid * 4))
            if stride != 1 or cin != mid * 4
            else None
        )

    def forward(self, x: Any) -> Any:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNetish(nn.Module):
    """A ResNet-50-shaped stem and two stages, then the classifier head."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(Bottleneck(8, 4, 1), Bottleneck(16, 4, 1))
        self.layer2 = nn.Sequential(Bottleneck(16, 8, 2), Bottleneck(32, 8, 1))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x: Any) -> Any:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class ShuffleUnit(nn.Module):
    """ShuffleNet v2's unit: a channel split, a depthwise branch, concat, channel shuffle
    (view / transpose / reshape), and a reflect-padded conv."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1)
        self.pw = nn.Conv2d(4, 4, 1)
        self.dw = nn.Conv2d(4, 4, 3, 1, 1, groups=4)
        self.out = nn.Conv2d(8, 4, 3, padding=1, padding_mode="reflect")

    def forward(self, x: Any) -> Any:
        x = self.stem(x)
        a, b = x.chunk(2, dim=1)
        x = torch.cat([a, self.dw(self.pw(b))], 1)
        n, c, h, w = x.shape
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        return self.out(x)


class ConvNeXtBlock(nn.Module):
    """A depthwise 7x7, then LayerNorm and Linear layers channels-last (permute)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 4, 4)
        self.dwconv = nn.Conv2d(8, 8, 7, padding=3, groups=8)
        self.norm = nn.LayerNorm(8)
        self.pwconv1 = nn.Linear(8, 16)
        self.pwconv2 = nn.Linear(16, 8)
        self.gamma = nn.Parameter(torch.full((8,), 0.5))

    def forward(self, x: Any) -> Any:
        x = self.stem(x)
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        y = (self.gamma * y).permute(0, 3, 1, 2)
        return x + y


class CheckedUNet(nn.Module):
    """A U-Net decoder that checks sizes in Python (``if``) and pads the upsampled map
    to the skip, as many public U-Nets do; the checks are on sizes torch.export states."""

    def __init__(self) -> None:
        super().__init__()
        self.e1 = nn.Conv2d(1, 4, 3, padding=1)
        self.e2 = nn.Conv2d(4, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 2, 2)
        self.d1 = nn.Conv2d(8, 2, 3, padding=1)

    def forward(self, x: Any) -> Any:
        e1 = self.e1(x)
        e2 = self.e2(F.avg_pool2d(e1, 2))
        u = self.up(e2)
        if u.shape[-1] != e1.shape[-1]:
            u = F.interpolate(u, size=e1.shape[-2:], mode="nearest")
        return self.d1(torch.cat([u, e1], 1))


class SegNet(nn.Module):
    """A segmentation network in the torchvision style: an EfficientNet-like MBConv
    (SiLU, squeeze-and-excitation with a sigmoid gate, a residual), a dilated stage
    (output stride 8), and logits interpolated back to the input's size."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, 2, 1)
        self.expand = nn.Conv2d(8, 16, 1)
        self.dw = nn.Conv2d(16, 16, 3, 1, 1, groups=16)
        self.se_reduce = nn.Conv2d(16, 4, 1)
        self.se_expand = nn.Conv2d(4, 16, 1)
        self.project = nn.Conv2d(16, 8, 1)
        self.down = nn.Conv2d(8, 8, 3, 2, 1)
        self.down2 = nn.Conv2d(8, 8, 3, 2, 1)
        self.dilated = nn.Conv2d(8, 8, 3, padding=2, dilation=2)
        self.classifier = nn.Conv2d(8, 3, 1)

    def forward(self, x: Any) -> Any:
        y = F.silu(self.stem(x))
        z = F.silu(self.dw(F.silu(self.expand(y))))
        gate = torch.sigmoid(self.se_expand(F.silu(self.se_reduce(z.mean((2, 3), keepdim=True)))))
        y = y + self.project(z * gate)
        y = self.dilated(F.relu(self.down2(F.relu(self.down(y)))))
        out = self.classifier(F.relu(y))
        return F.interpolate(out, size=x.shape[-2:], mode="bilinear", align_corners=False)


class TransformInput(nn.Module):
    """Inception's ``transform_input`` (each channel picked, rescaled, concatenated
    back), then a stem with a ``ceil_mode`` average pool that leaves out its padding."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, 2)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: Any) -> Any:
        x0 = torch.unsqueeze(x[:, 0], 1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5
        x1 = torch.unsqueeze(x[:, 1], 1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
        x2 = torch.unsqueeze(x[:, 2], 1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
        x = torch.cat((x0, x1, x2), 1)
        y = F.avg_pool2d(self.conv1(x), 3, 2, padding=1, ceil_mode=True, count_include_pad=False)
        return self.conv2(y)


CASES = [
    (Residual, [1, 3, 96, 96]),
    (InvertedSE, [1, 3, 64, 64]),
    (FPN, [1, 3, 64, 64]),
    (UNet, [1, 1, 64, 64]),
    (ASPP, [1, 3, 65, 65]),
    (TCN, [1, 2, 200]),
    (Conv3D, [1, 1, 24, 24, 24]),
    (ShuffleUnit, [1, 3, 48, 40]),
    (ConvNeXtBlock, [1, 3, 64, 64]),
    (CheckedUNet, [1, 1, 48, 48]),
    (SegNet, [1, 3, 64, 48]),
    (TransformInput, [1, 3, 45, 38]),
]
#: and a classifier (read up to its head)
TORCH_CASES = [*CASES, (ResNetish, [1, 3, 64, 64])]


# --- torchvision's classifiers, layer for layer (no weights, no torchvision) -----------


def resnet50() -> Any:
    """torchvision's ResNet-50: the stem, bottleneck stages [3, 4, 6, 3], the head."""
    model = ResNetish()
    model.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
    model.bn1 = nn.BatchNorm2d(64)
    stages, cin = [], 64
    for mid, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        layers = [Bottleneck(cin, mid, stride)]
        layers += [Bottleneck(mid * 4, mid, 1) for _ in range(blocks - 1)]
        stages.append(nn.Sequential(*layers))
        cin = mid * 4
    model.layer1, model.layer2 = stages[0], stages[1]
    model.layer3, model.layer4 = stages[2], stages[3]
    model.fc = nn.Linear(2048, 1000)
    model.forward = lambda x: model.fc(  # type: ignore[method-assign]
        torch.flatten(
            model.avgpool(
                model.layer4(
                    model.layer3(
                        model.layer2(
                            model.layer1(model.maxpool(model.relu(model.bn1(model.conv1(x)))))
                        )
                    )
                )
            ),
            1,
        )
    )
    return model


class VGG16(nn.Module):
    """torchvision's vgg16: 13 padded 3x3 convs in five stages, 2x2 max pools."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[Any] = []
        cin = 3
        stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        for v in [x for stage in stages for x in (*stage, "M")]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, int(v), 3, padding=1), nn.ReLU(inplace=True)]
                cin = int(v)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Linear(512 * 49, 1000)

    def forward(self, x: Any) -> Any:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class AlexNet(nn.Module):
    """torchvision's alexnet."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Linear(256 * 36, 1000)

    def forward(self, x: Any) -> Any:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class DenseLayer(nn.Module):
    def __init__(self, cin: int, growth: int) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, 4 * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(4 * growth)
        self.conv2 = nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False)

    def forward(self, x: Any) -> Any:
        return self.conv2(F.relu(self.norm2(self.conv1(F.relu(self.norm1(x))))))


class DenseNet121(nn.Module):
    """torchvision's densenet121: blocks [6, 12, 24, 16], growth 32, 2x2 average-pool
    transitions (ordinary concat per layer, as torchvision's memory-efficient path
    computes the same thing)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv0 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.norm0 = nn.BatchNorm2d(64)
        self.pool0 = nn.MaxPool2d(3, 2, 1)
        self.blocks = nn.ModuleList()
        self.transitions = nn.ModuleList()
        c = 64
        for i, n in enumerate((6, 12, 24, 16)):
            self.blocks.append(nn.ModuleList(DenseLayer(c + j * 32, 32) for j in range(n)))
            c += n * 32
            if i < 3:
                self.transitions.append(
                    nn.Sequential(
                        nn.BatchNorm2d(c),
                        nn.ReLU(),
                        nn.Conv2d(c, c // 2, 1, bias=False),
                        nn.AvgPool2d(2, 2),
                    )
                )
                c //= 2
        self.norm5 = nn.BatchNorm2d(c)
        self.classifier = nn.Linear(c, 1000)

    def forward(self, x: Any) -> Any:
        x = self.pool0(F.relu(self.norm0(self.conv0(x))))
        for i, block in enumerate(self.blocks):
            for layer in block:
                x = torch.cat([x, layer(x)], 1)
            if i < 3:
                x = self.transitions[i](x)
        x = F.adaptive_avg_pool2d(F.relu(self.norm5(x)), 1)
        return self.classifier(torch.flatten(x, 1))


#: the classifiers the lint's defaults are reviewed on, at their usual input
CLASSIFIERS = [
    (resnet50, [1, 3, 224, 224]),
    (VGG16, [1, 3, 224, 224]),
    (AlexNet, [1, 3, 224, 224]),
    (DenseNet121, [1, 3, 224, 224]),
]


# --- squeeze-and-excitation networks: the gates can be detached (the moving window) ---


class SqueezeExcitation(nn.Module):
    """torchvision's SqueezeExcitation: pooled to one unit, two 1x1 convs, a sigmoid gate
    that multiplies the map (PyTorch broadcasts it).  ``detach``: the gate is a constant
    for the gradient, which then shows the moving window alone."""

    def __init__(self, channels: int, squeezed: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.detach = False

    def forward(self, x: Any) -> Any:
        gate = torch.sigmoid(self.fc2(F.silu(self.fc1(self.avgpool(x)))))
        return x * (gate.detach() if self.detach else gate)


def _conv_bn(cin: int, cout: int, k: int, s: int = 1, groups: int = 1, act: bool = True) -> Any:
    """torchvision's Conv2dNormActivation (SiLU)."""
    layers: list[Any] = [
        nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.SiLU())
    return nn.Sequential(*layers)


class MBConv(nn.Module):
    """torchvision's MBConv: expand, depthwise, squeeze-and-excitation, project; a
    residual where the shape is kept (stochastic depth is the identity in eval)."""

    def __init__(self, expand: int, k: int, s: int, cin: int, cout: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers: list[Any] = []
        if expand != 1:
            layers.append(_conv_bn(cin, hidden, 1))
        layers += [
            _conv_bn(hidden, hidden, k, s, groups=hidden),
            SqueezeExcitation(hidden, max(1, cin // 4)),
            _conv_bn(hidden, cout, 1, act=False),
        ]
        self.block = nn.Sequential(*layers)
        self.residual = s == 1 and cin == cout

    def forward(self, x: Any) -> Any:
        y = self.block(x)
        return x + y if self.residual else y


class EfficientNetB0(nn.Module):
    """torchvision's efficientnet_b0 features, layer for layer (the classifier's pooling
    and linear head left out: they read the whole map)."""

    #: (expand ratio, kernel, stride, channels in, channels out, layers)
    STAGES = (
        (1, 3, 1, 32, 16, 1),
        (6, 3, 2, 16, 24, 2),
        (6, 5, 2, 24, 40, 2),
        (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3),
        (6, 5, 2, 112, 192, 4),
        (6, 3, 1, 192, 320, 1),
    )

    def __init__(self) -> None:
        super().__init__()
        stages: list[Any] = [_conv_bn(3, 32, 3, 2)]
        for expand, k, s, cin, cout, count in self.STAGES:
            stages.append(
                nn.Sequential(
                    *(
                        MBConv(expand, k, s if i == 0 else 1, cin if i == 0 else cout, cout)
                        for i in range(count)
                    )
                )
            )
        stages.append(_conv_bn(320, 1280, 1))
        self.features = nn.Sequential(*stages)

    def forward(self, x: Any) -> Any:
        return self.features(x)


def detach_gates(model: Any, detach: bool = True) -> Any:
    """Every squeeze-and-excitation gate of ``model`` detached (or attached again)."""
    for m in model.modules():
        if isinstance(m, SqueezeExcitation):
            m.detach = detach
    return model
