import QRCode from 'qrcode';

/**
 * A QR code as SVG, drawn here (never by a third-party service: it holds a secret): an otpauth URI
 * for an authenticator app, or a push device's enrollment link.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
