const app = document.getElementById("app");
fetch("/api/notes").then((r) => r.json()).then((notes) => {
  if (app) app.textContent = `${notes.length} notes`;
});
