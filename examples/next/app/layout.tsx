// The root layout: plain HTML, system fonts, nothing fetched at build time.
import type { ReactNode } from "react";

export const metadata = { title: "hexarch-guardrails + Next.js" };

export default function RootLayout({ children }: { readonly children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: "40rem", margin: "2rem auto" }}>{children}</body>
    </html>
  );
}
