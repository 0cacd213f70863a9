//! Where a request's time goes: each stage of `Engine::analyze` on its own, per frame,
//! next to its floor, the model's own inference (`Session::run` on an input tensor made
//! beforehand), and the whole `analyze` and `dominant_emotion`.
//!
//! `cargo bench -p emotion-core --bench stages [-- FILTER] [criterion options]`, e.g.
//! `-- webcam_one_face/` for one frame or `--sample-size 50 --measurement-time 5`.
//! Frames: `bash bench/frames.sh`. Criterion writes each median to
//! target/criterion/<frame>/<stage>/new/estimates.json (`median.point_estimate`, ns).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use emotion_core::stages::{
    aligned_crop, decode_rgb, environment, models, normalized_geometry, roi_from_detection, roi_to_tensor, BlazeFace,
    EmotionClassifier, FaceFinder, FaceMesh, ModelPool, SquareRoi, TensorSpec, CROP_SIZE, FULL_RANGE, LANDMARK_COUNT,
    SHORT_RANGE,
};
use emotion_core::{DecodeLimits, DetectionConfig, Emotion, Engine, EngineConfig};
use ort::session::Session;
use ort::value::TensorRef;

const FRAMES: [&str; 3] = ["webcam_one_face.png", "face224.jpg", "hd_two_faces.png"];

/// The engine's parts, built as `Engine::new` builds them (one ORT thread), plus a pool of each
/// model for the floors: the stage types keep their pools private.
struct Parts {
    finder: FaceFinder,
    mesh: FaceMesh,
    classifier: EmotionClassifier,
    detector_model: ModelPool,
    full_range_model: ModelPool,
    landmark_model: ModelPool,
    classifier_model: ModelPool,
}

impl Parts {
    fn new(threads: usize) -> Parts {
        let env = environment(None, &[]).expect("ONNX Runtime loads");
        let pool = |name, bytes| ModelPool::new(name, bytes, threads, env.clone()).expect("model loads");
        Parts {
            finder: FaceFinder {
                short_range: BlazeFace::new(&SHORT_RANGE, pool(SHORT_RANGE.name, models::FACE_DETECTION_SHORT_RANGE)),
                full_range: BlazeFace::new(&FULL_RANGE, pool(FULL_RANGE.name, models::FACE_DETECTION_FULL_RANGE)),
                mtcnn: None,
            },
            mesh: FaceMesh::new(pool("face_landmark", models::FACE_LANDMARK)),
            classifier: EmotionClassifier::new(pool("emotion_classifier", models::EMOTION_CLASSIFIER)),
            detector_model: pool(SHORT_RANGE.name, models::FACE_DETECTION_SHORT_RANGE),
            full_range_model: pool(FULL_RANGE.name, models::FACE_DETECTION_FULL_RANGE),
            landmark_model: pool("face_landmark", models::FACE_LANDMARK),
            classifier_model: pool("emotion_classifier", models::EMOTION_CLASSIFIER),
        }
    }
}

/// One run of a single-input image model; the outputs are dropped unread, so this is the
/// model's own time (plus ORT's input and output allocations).
fn infer(model: &ModelPool, tensor: &[f32], spec: &TensorSpec) -> usize {
    let size = spec.size as usize;
    let run = |session: &mut Session| -> emotion_core::Result<usize> {
        let input = TensorRef::from_array_view(([1, size, size, 3], tensor))?;
        Ok(session.run(ort::inputs![input])?.len())
    };
    model.with_session(run).expect("model runs")
}

fn stages(c: &mut Criterion) {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/.frames"));
    let config = EngineConfig::default();
    assert_eq!(config.intra_threads, 1, "the engine's default is one ORT thread per run");
    let engine = Engine::new(config.clone()).expect("engine loads");
    let parts = Parts::new(config.intra_threads);
    let limits = DecodeLimits::default();
    let detection = DetectionConfig::default();

    for file in FRAMES {
        let path = dir.join(file);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; make the frames with `bash bench/frames.sh`", path.display()));
        let frame = file.split('.').next().unwrap_or(file);

        // Real data for each stage: the faces found in this frame, and the first (best-scoring)
        // face's landmark ROI, mesh and classifier inputs, as analyze computes them.
        let image = decode_rgb(&bytes, &limits).expect("frame decodes");
        let found = parts.finder.find(&image, &detection, false).expect("detects");
        let face = found.first().unwrap_or_else(|| panic!("{file}: no face found"));
        let roi = roi_from_detection(face);
        let mesh = parts.mesh.run(&image, &roi).expect("landmarks");
        let whole = SquareRoi::letterbox(image.width(), image.height());
        // The models' inputs exactly as the stages make them.
        let (detector_input, full_range_input, landmark_input) =
            (parts.finder.short_range.input_spec(), parts.finder.full_range.input_spec(), parts.mesh.input_spec());
        let detector_tensor = roi_to_tensor(&image, &whole, &detector_input);
        // The small-face pass feeds it tiles of a downscale; the pixels do not change its time.
        let full_range_tensor = roi_to_tensor(&image, &whole, &full_range_input);
        let landmark_tensor = roi_to_tensor(&image, &roi, &landmark_input);
        let geometry = normalized_geometry(&mesh.points);
        let crop = aligned_crop(&image, &mesh.points);
        println!(
            "{frame}: {}x{}, {} encoded bytes, {} faces found; stages below run on the first face",
            image.width(),
            image.height(),
            bytes.len(),
            found.len()
        );

        let mut group = c.benchmark_group(frame);
        group.bench_function("decode", |b| b.iter(|| decode_rgb(black_box(&bytes), &limits).expect("decodes")));

        // As analyze calls it, and as dominant_emotion does: the small-face pass only if nothing was found.
        group.bench_function("detect", |b| {
            b.iter(|| parts.finder.find(black_box(&image), &detection, false).expect("detects"));
        });
        group.bench_function("detect_seed", |b| {
            b.iter(|| parts.finder.find(black_box(&image), &detection, true).expect("detects"));
        });
        group.bench_function("detect_floor", |b| {
            b.iter(|| infer(&parts.detector_model, black_box(&detector_tensor), &detector_input));
        });
        // One run of the small-face (full-range) model: `detect` runs it once per tile (analyze
        // always, dominant_emotion only when the short-range passes found nothing).
        group.bench_function("detect_floor_full_range", |b| {
            b.iter(|| infer(&parts.full_range_model, black_box(&full_range_tensor), &full_range_input));
        });
        // The short-range detector's letterboxed input, the first thing `detect` does.
        group.bench_function("warp_detector", |b| b.iter(|| roi_to_tensor(black_box(&image), &whole, &detector_input)));
        // The landmark model's rotated crop, the first thing `landmarks` does.
        group.bench_function("warp_landmarks", |b| b.iter(|| roi_to_tensor(black_box(&image), &roi, &landmark_input)));

        group.bench_function("landmarks", |b| b.iter(|| parts.mesh.run(black_box(&image), &roi).expect("landmarks")));
        group.bench_function("landmarks_floor", |b| {
            b.iter(|| infer(&parts.landmark_model, black_box(&landmark_tensor), &landmark_input));
        });

        group.bench_function("features", |b| {
            b.iter(|| (normalized_geometry(black_box(&mesh.points)), aligned_crop(black_box(&image), &mesh.points)));
        });
        // Features and the classifier's run, for one face.
        group.bench_function("classify", |b| {
            b.iter(|| parts.classifier.classify(black_box(&image), &[mesh.points.as_slice()]).expect("classifies"));
        });
        let classifier_run = |session: &mut Session| -> emotion_core::Result<usize> {
            let side = CROP_SIZE as usize;
            let geometry = TensorRef::from_array_view(([1, LANDMARK_COUNT * 3], black_box(geometry.as_slice())))?;
            let crop = TensorRef::from_array_view(([1, 1, side, side], black_box(crop.as_slice())))?;
            Ok(session.run(ort::inputs!["geometry" => geometry, "crop" => crop])?.len())
        };
        group.bench_function("classify_floor", |b| {
            b.iter(|| parts.classifier_model.with_session(classifier_run).expect("model runs"));
        });

        group.bench_function("analyze", |b| b.iter(|| engine.analyze(black_box(&bytes)).expect("analyzes")));
        group.bench_function("dominant_emotion", |b| {
            b.iter(|| engine.dominant_emotion(black_box(&bytes), &[Emotion::Happy, Emotion::Sad]).expect("answers"));
        });
        group.finish();
    }
}

fn config() -> Criterion {
    // Modest defaults so that all frames take a few minutes; the command line overrides them.
    Criterion::default().sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = stages
}
criterion_main!(benches);
