# hunch's setup for building on Windows itself (PowerShell 5.1 or 7): checks for Rust and
# Python, then fetches ONNX Runtime 1.31.1's onnxruntime.dll from the PyPI wheel
# (win_amd64), checks its sha256 (the same file scripts/setup --windows installs for the
# cross build), and puts it in runtime\, where a build from this checkout finds it.
#
#   powershell -ExecutionPolicy Bypass -File scripts\setup.ps1
#   cargo run --release -- demo
#
# Written for Windows and NOT run by this project's CI, which has no PowerShell and no
# Windows: CI cross-builds with mingw-w64 and runs the result under Wine instead
# (scripts/test-windows). Please report what fails.
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

$ortVersion = '1.31.1'
# sha256 of onnxruntime.dll inside onnxruntime==1.31.1's win_amd64 wheel (cp311).
$ortSha256 = '8482d2ee174e28504f99730fb01d6861575870283de4ed3a897ad39170d9a9b9'
$runtime = Join-Path (Get-Location) 'runtime'
$target = Join-Path $runtime 'onnxruntime.dll'

function Say($m) { Write-Host "setup: $m" }

if (-not (Get-Command cargo -ErrorAction SilentlyContinue)) {
    Say 'Rust is not installed: install it from https://rustup.rs, then run this again'
    exit 2
}
$python = (Get-Command py -ErrorAction SilentlyContinue), (Get-Command python -ErrorAction SilentlyContinue) |
    Where-Object { $_ } | Select-Object -First 1
if (-not $python) {
    Say 'Python 3 is not installed (it fetches ONNX Runtime from PyPI): install it, then run this again'
    exit 2
}

if ((Test-Path $target) -and ((Get-FileHash $target -Algorithm SHA256).Hash -eq $ortSha256)) {
    Say "ONNX Runtime $ortVersion present in runtime\"
    exit 0
}

$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("hunch-setup-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    Say "fetching ONNX Runtime $ortVersion (PyPI wheel, win_amd64)"
    $pyArgs = @('-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:',
        '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311',
        '--platform', 'win_amd64', '-d', $tmp, "onnxruntime==$ortVersion")
    if ($python.Name -like 'py*.exe' -and $python.Name -notlike 'python*') { $pyArgs = @('-3') + $pyArgs }
    & $python.Source @pyArgs
    if ($LASTEXITCODE -ne 0) { throw "pip could not fetch onnxruntime==$ortVersion" }
    $wheel = Get-ChildItem $tmp -Filter 'onnxruntime-*.whl' | Select-Object -First 1
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [System.IO.Compression.ZipFile]::OpenRead($wheel.FullName)
    try {
        $files = @{
            'onnxruntime/capi/onnxruntime.dll'     = 'onnxruntime.dll'
            'onnxruntime/LICENSE'                  = 'onnxruntime-LICENSE'
            'onnxruntime/ThirdPartyNotices.txt'    = 'onnxruntime-ThirdPartyNotices.txt'
        }
        foreach ($name in $files.Keys) {
            $entry = $zip.GetEntry($name)
            if (-not $entry) { throw "the wheel has no $name" }
            [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, (Join-Path $tmp $files[$name]), $true)
        }
    } finally { $zip.Dispose() }
    $hash = (Get-FileHash (Join-Path $tmp 'onnxruntime.dll') -Algorithm SHA256).Hash
    if ($hash -ne $ortSha256) { throw "checksum mismatch for onnxruntime.dll ($hash); refusing to install it" }
    New-Item -ItemType Directory -Force -Path $runtime | Out-Null
    foreach ($f in 'onnxruntime.dll', 'onnxruntime-LICENSE', 'onnxruntime-ThirdPartyNotices.txt') {
        Copy-Item (Join-Path $tmp $f) (Join-Path $runtime $f) -Force
    }
    Say "installed $target"
    Say 'next: cargo run --release -- demo'
} finally {
    Remove-Item -Recurse -Force $tmp
}
