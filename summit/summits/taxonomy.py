"""The California Community Schools Framework, as seed data for a summit's tracks.

Colours are dark enough for white text (contrast >= 4.5:1); every use of a
colour also shows the track's name, so colour is never the only cue.
"""

from summit.summits.enums import TrackKind

# (code, kind, English name, Spanish name, colour)
FRAMEWORK_TRACKS: tuple[tuple[str, TrackKind, str, str, str], ...] = (
    ("pillar-supports", TrackKind.PILLAR, "Integrated student supports",
     "Apoyos integrados para estudiantes", "#1F5F8B"),
    ("pillar-family", TrackKind.PILLAR, "Family and community engagement",
     "Participación de las familias y la comunidad", "#2E6B30"),
    ("pillar-leadership", TrackKind.PILLAR,
     "Collaborative leadership and practices for educators and administrators",
     "Liderazgo y prácticas colaborativas para educadores y administradores", "#6A3D8F"),
    ("pillar-extended", TrackKind.PILLAR, "Extended learning time and opportunities",
     "Tiempo y oportunidades de aprendizaje ampliado", "#A0451F"),
    ("commit-asset", TrackKind.COMMITMENT, "Asset-driven and strength-based practice",
     "Práctica basada en los recursos y las fortalezas", "#0B6E69"),
    ("commit-restorative", TrackKind.COMMITMENT,
     "Racially just and restorative school climates",
     "Climas escolares racialmente justos y restaurativos", "#8A2846"),
    ("commit-instruction", TrackKind.COMMITMENT,
     "Powerful, culturally proficient and relevant instruction",
     "Enseñanza sólida, culturalmente competente y pertinente", "#5B4A12"),
    ("commit-shared", TrackKind.COMMITMENT,
     "Shared decision-making and participatory practices",
     "Toma de decisiones compartida y prácticas participativas", "#24527A"),
    ("cbs-commitment", TrackKind.STRATEGY, "Shared commitment, understanding and priorities",
     "Compromiso, entendimiento y prioridades compartidos", "#4A5568"),
    ("cbs-community-learning", TrackKind.STRATEGY, "Centering community-based learning",
     "Aprendizaje centrado en la comunidad", "#2F6F4F"),
    ("cbs-leadership", TrackKind.STRATEGY, "Collaborative leadership",
     "Liderazgo colaborativo", "#7A3E65"),
    ("cbs-sustaining", TrackKind.STRATEGY, "Sustaining staff and resources",
     "Sostener al personal y los recursos", "#7C4A0E"),
    ("cbs-partnerships", TrackKind.STRATEGY, "Strategic community partnerships",
     "Alianzas comunitarias estratégicas", "#1D5C73"),
    ("topic-student-voice", TrackKind.TOPIC, "Student voice and leadership",
     "Voz y liderazgo estudiantil", "#9C2F2F"),
    ("topic-teacher-leadership", TrackKind.TOPIC,
     "Teacher leadership and community-based learning",
     "Liderazgo docente y aprendizaje basado en la comunidad", "#3F5E1A"),
    ("topic-whole-child", TrackKind.TOPIC, "Coherence of whole-child strategies",
     "Coherencia de las estrategias para el niño en su totalidad", "#4B3F8C"),
    ("topic-mental-health", TrackKind.TOPIC, "Mental health in school settings",
     "Salud mental en el entorno escolar", "#0F5E8C"),
    ("topic-dei", TrackKind.TOPIC, "Diversity, equity and inclusion",
     "Diversidad, equidad e inclusión", "#86372A"),
    ("topic-belonging", TrackKind.TOPIC, "Resilience and belonging",
     "Resiliencia y sentido de pertenencia", "#5A4A78"),
    ("topic-inclusive", TrackKind.TOPIC, "Collaborative and inclusive learning environments",
     "Entornos de aprendizaje colaborativos e inclusivos", "#2D5E5E"),
    ("topic-cross-sector", TrackKind.TOPIC,
     "Sustaining community schools through cross-sector partnerships",
     "Sostener las escuelas comunitarias mediante alianzas intersectoriales", "#6B4423"),
)  # fmt: skip
