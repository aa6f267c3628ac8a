// Draws each job's loss and eval-loss curve from the metrics the page carries in a data attribute,
// again after every htmx refresh of the job list.
(function () {
  const charts = new Map();

  function draw(canvas) {
    let metrics;
    try {
      metrics = JSON.parse(canvas.dataset.metrics || '[]');
    } catch (e) {
      metrics = [];
    }
    const points = (key) => metrics.filter((m) => m[key] != null).map((m) => ({x: m.step, y: m[key]}));
    const chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          {label: 'loss', data: points('loss'), borderColor: '#2563eb', pointRadius: 0, borderWidth: 2},
          {label: 'eval loss', data: points('evalLoss'), borderColor: '#d97706', pointRadius: 3, borderWidth: 2}
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {x: {type: 'linear', title: {display: true, text: 'step'}}, y: {title: {display: true, text: 'loss'}}}
      }
    });
    charts.set(canvas, chart);
  }

  function drawAll() {
    charts.forEach((chart, canvas) => {
      if (!document.body.contains(canvas)) {
        chart.destroy();
        charts.delete(canvas);
      }
    });
    document.querySelectorAll('canvas.loss-chart').forEach((canvas) => {
      if (!charts.has(canvas)) {
        draw(canvas);
      }
    });
  }

  document.addEventListener('DOMContentLoaded', drawAll);
  document.addEventListener('htmx:afterSettle', drawAll);
})();
