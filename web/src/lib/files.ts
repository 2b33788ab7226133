/**
 * A file's bytes as base64, for JSON uploads: the server then sees exactly the bytes on disk and can tell UTF-8
 * from the GB18030 that Excel and WPS write for Chinese text.
 */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
