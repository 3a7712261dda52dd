import QRCode from 'qrcode';

/** The otpauth URI as an SVG QR code, drawn here (never by a third-party service: it holds the secret). */
export function qrSvg(otpauthUri: string): Promise<string> {
  return QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
