import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QuickAdd } from "./QuickAdd";
import "../styles.css";
import { followColorScheme } from "../useColorScheme";

followColorScheme();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QuickAdd />
  </StrictMode>,
);
