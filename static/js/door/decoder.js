// A QR decoder: the browser's own BarcodeDetector where it reads QR codes, otherwise the
// vendored barcode-detector ponyfill over zxing-wasm, whose .wasm is served by us (never
// from a CDN).

async function nativeDetector() {
  if (!("BarcodeDetector" in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    return new globalThis.BarcodeDetector({ formats: ["qr_code"] });
  } catch {
    return null;
  }
}

export async function createDetector(wasmUrl) {
  const native = await nativeDetector();
  if (native) return { detector: native, kind: "native" };
  const { BarcodeDetector, prepareZXingModule } = await import(
    "../../vendor/barcode-detector/ponyfill.js"
  );
  const wasm = new URL(wasmUrl, location.href).href;
  await prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path),
    },
    fireImmediately: true,
  });
  return { detector: new BarcodeDetector({ formats: ["qr_code"] }), kind: "zxing-wasm" };
}
